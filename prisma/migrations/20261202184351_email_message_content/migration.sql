-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "content" JSONB;
