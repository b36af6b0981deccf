-- AlterTable
ALTER TABLE "conversations" ADD COLUMN     "awaiting_claim_id" TEXT;

-- CreateTable
CREATE TABLE "visitor_claims" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "channel_id" TEXT NOT NULL,
    "visitor_id" TEXT NOT NULL,
    "contact_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "code_hash" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "expires_at" TIMESTAMP(3),
    "proved_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "visitor_claims_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "visitor_claims_contact_id_idx" ON "visitor_claims"("contact_id");

-- CreateIndex
CREATE UNIQUE INDEX "visitor_claims_channel_id_visitor_id_kind_address_key" ON "visitor_claims"("channel_id", "visitor_id", "kind", "address");
