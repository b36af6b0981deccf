-- CreateEnum
CREATE TYPE "TransferStatus" AS ENUM ('pending', 'accepted', 'expired', 'cancelled');

-- AlterTable
ALTER TABLE "offers" ADD COLUMN     "transfer_id" TEXT;

-- CreateTable
CREATE TABLE "transfers" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "conversation_id" TEXT NOT NULL,
    "from_member_id" TEXT NOT NULL,
    "to_member_id" TEXT,
    "group_id" TEXT,
    "note" TEXT,
    "status" "TransferStatus" NOT NULL DEFAULT 'pending',
    "accepted_by_id" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "closed_at" TIMESTAMP(3),

    CONSTRAINT "transfers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "member_groups" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "member_groups_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "member_group_members" (
    "group_id" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,

    CONSTRAINT "member_group_members_pkey" PRIMARY KEY ("group_id","member_id")
);

-- CreateIndex
CREATE INDEX "transfers_conversation_id_status_idx" ON "transfers"("conversation_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "member_groups_team_id_name_key" ON "member_groups"("team_id", "name");

-- CreateIndex
CREATE INDEX "member_group_members_member_id_idx" ON "member_group_members"("member_id");

-- AddForeignKey
ALTER TABLE "offers" ADD CONSTRAINT "offers_transfer_id_fkey" FOREIGN KEY ("transfer_id") REFERENCES "transfers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "member_group_members" ADD CONSTRAINT "member_group_members_group_id_fkey" FOREIGN KEY ("group_id") REFERENCES "member_groups"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "member_group_members" ADD CONSTRAINT "member_group_members_member_id_fkey" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE CASCADE ON UPDATE CASCADE;
