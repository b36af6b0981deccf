-- AlterTable
ALTER TABLE "conversations" ADD COLUMN     "intake" JSONB,
ADD COLUMN     "intake_group_id" TEXT;
