-- AlterTable
ALTER TABLE "deliveries" ADD COLUMN     "parts_sent" INTEGER NOT NULL DEFAULT 0;
