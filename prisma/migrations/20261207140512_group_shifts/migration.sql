-- AlterTable
ALTER TABLE "member_groups" ADD COLUMN     "business_hours" JSONB,
ADD COLUMN     "routing_position" INTEGER;
