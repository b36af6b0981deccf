-- AlterTable
ALTER TABLE "members" ADD COLUMN     "last_active_at" TIMESTAMP(3);
