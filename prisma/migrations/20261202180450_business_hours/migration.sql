-- AlterTable
ALTER TABLE "conversations" ADD COLUMN     "away_notice_at" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "members" ADD COLUMN     "status_reason" TEXT;
