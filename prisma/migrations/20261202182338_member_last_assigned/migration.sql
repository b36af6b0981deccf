-- AlterTable
ALTER TABLE "members" ADD COLUMN     "last_assigned_at" TIMESTAMP(3);
