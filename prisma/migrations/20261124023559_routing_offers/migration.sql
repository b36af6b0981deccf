-- CreateEnum
CREATE TYPE "OfferStatus" AS ENUM ('pending', 'accepted', 'withdrawn', 'expired');

-- AlterTable
ALTER TABLE "conversations" ADD COLUMN     "missed_at" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "members" ADD COLUMN     "ignored_offers" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "offers" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "conversation_id" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "status" "OfferStatus" NOT NULL DEFAULT 'pending',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "closed_at" TIMESTAMP(3),

    CONSTRAINT "offers_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "offers_conversation_id_status_idx" ON "offers"("conversation_id", "status");

-- CreateIndex
CREATE INDEX "offers_member_id_status_idx" ON "offers"("member_id", "status");
