-- CreateEnum
CREATE TYPE "InvitationStatus" AS ENUM ('pending', 'confirmed');

-- CreateEnum
CREATE TYPE "ChannelGroupStatus" AS ENUM ('active', 'gone');

-- AlterEnum
ALTER TYPE "IdentityKind" ADD VALUE 'line_group';

-- DropIndex
DROP INDEX "messages_channel_id_provider_message_id_key";

-- AlterTable
ALTER TABLE "channels" ADD COLUMN     "next_send_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- AlterTable
ALTER TABLE "contacts" ADD COLUMN     "merged_into_id" TEXT;

-- AlterTable
ALTER TABLE "conversations" ADD COLUMN     "reply_token" TEXT,
ADD COLUMN     "reply_token_expires_at" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "blocked" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "event_key" TEXT,
ADD COLUMN     "quote_token" TEXT,
ADD COLUMN     "unsent_at" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "merge_proposals" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "contact_id" TEXT NOT NULL,
    "other_contact_id" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "merge_proposals_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "contact_merges" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "source_id" TEXT NOT NULL,
    "target_id" TEXT NOT NULL,
    "merged_by" TEXT NOT NULL,
    "moved" JSONB NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "undone_at" TIMESTAMP(3),

    CONSTRAINT "contact_merges_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "suppressions" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "address_hash" TEXT NOT NULL,
    "channel_type" "ChannelType" NOT NULL,
    "channel_id" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "suppressions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "invitations" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "contact_id" TEXT NOT NULL,
    "channel_id" TEXT NOT NULL,
    "channel_type" "ChannelType" NOT NULL,
    "invited_by" TEXT NOT NULL,
    "status" "InvitationStatus" NOT NULL DEFAULT 'pending',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "confirmed_at" TIMESTAMP(3),

    CONSTRAINT "invitations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "contact_events" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "contact_id" TEXT NOT NULL,
    "channel_id" TEXT NOT NULL,
    "channel_type" "ChannelType" NOT NULL,
    "event_key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "detail" JSONB NOT NULL DEFAULT '{}',
    "occurred_at" TIMESTAMP(3) NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "contact_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "channel_groups" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "channel_id" TEXT NOT NULL,
    "group_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "name" TEXT,
    "status" "ChannelGroupStatus" NOT NULL DEFAULT 'active',
    "joined_at" TIMESTAMP(3) NOT NULL,
    "left_at" TIMESTAMP(3),

    CONSTRAINT "channel_groups_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "early_statuses" (
    "channel_id" TEXT NOT NULL,
    "provider_message_id" TEXT NOT NULL,
    "status" "MessageStatus" NOT NULL,
    "error" TEXT,
    "occurred_at" TIMESTAMP(3) NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "early_statuses_pkey" PRIMARY KEY ("channel_id","provider_message_id","status")
);

-- CreateIndex
CREATE UNIQUE INDEX "merge_proposals_team_id_contact_id_other_contact_id_key" ON "merge_proposals"("team_id", "contact_id", "other_contact_id");

-- CreateIndex
CREATE INDEX "contact_merges_team_id_idx" ON "contact_merges"("team_id");

-- CreateIndex
CREATE UNIQUE INDEX "suppressions_team_id_address_hash_channel_type_key" ON "suppressions"("team_id", "address_hash", "channel_type");

-- CreateIndex
CREATE INDEX "invitations_contact_id_channel_type_status_idx" ON "invitations"("contact_id", "channel_type", "status");

-- CreateIndex
CREATE INDEX "contact_events_contact_id_occurred_at_idx" ON "contact_events"("contact_id", "occurred_at");

-- CreateIndex
CREATE UNIQUE INDEX "contact_events_channel_id_event_key_key" ON "contact_events"("channel_id", "event_key");

-- CreateIndex
CREATE INDEX "channel_groups_team_id_idx" ON "channel_groups"("team_id");

-- CreateIndex
CREATE UNIQUE INDEX "channel_groups_channel_id_group_id_key" ON "channel_groups"("channel_id", "group_id");

-- CreateIndex
CREATE INDEX "messages_channel_id_provider_message_id_idx" ON "messages"("channel_id", "provider_message_id");

-- Inbound messages stored before this migration were deduplicated on their provider id.
UPDATE "messages" SET "event_key" = "provider_message_id" WHERE "direction" = 'in';

-- CreateIndex
CREATE UNIQUE INDEX "messages_channel_id_event_key_key" ON "messages"("channel_id", "event_key");

-- AddForeignKey
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contact_events" ADD CONSTRAINT "contact_events_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "channel_groups" ADD CONSTRAINT "channel_groups_channel_id_fkey" FOREIGN KEY ("channel_id") REFERENCES "channels"("id") ON DELETE CASCADE ON UPDATE CASCADE;
