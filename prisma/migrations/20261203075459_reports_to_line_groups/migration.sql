-- CreateEnum
CREATE TYPE "ReportStatus" AS ENUM ('pending', 'sent', 'failed');

-- CreateTable
CREATE TABLE "visitor_pages" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "channel_id" TEXT NOT NULL,
    "visitor_id" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "title" TEXT,
    "seen_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "visitor_pages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "report_targets" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "channel_id" TEXT NOT NULL,
    "group_id" TEXT NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "report_targets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reports" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "conversation_id" TEXT,
    "member_id" TEXT,
    "channel_id" TEXT,
    "group_id" TEXT,
    "text" TEXT NOT NULL,
    "status" "ReportStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "dedupe_key" TEXT NOT NULL,
    "quoted_report_id" TEXT,
    "provider_request_id" TEXT,
    "provider_message_id" TEXT,
    "quote_token" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMP(3),

    CONSTRAINT "reports_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "agent_shifts" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "started_at" TIMESTAMP(3) NOT NULL,
    "ended_at" TIMESTAMP(3),

    CONSTRAINT "agent_shifts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "conversation_stores" (
    "conversation_id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "store" TEXT NOT NULL,
    "set_by" TEXT NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "conversation_stores_pkey" PRIMARY KEY ("conversation_id")
);

-- CreateIndex
CREATE INDEX "visitor_pages_channel_id_visitor_id_seen_at_idx" ON "visitor_pages"("channel_id", "visitor_id", "seen_at");

-- CreateIndex
CREATE UNIQUE INDEX "report_targets_team_id_purpose_key" ON "report_targets"("team_id", "purpose");

-- CreateIndex
CREATE INDEX "reports_conversation_id_created_at_idx" ON "reports"("conversation_id", "created_at");

-- CreateIndex
CREATE INDEX "reports_status_idx" ON "reports"("status");

-- CreateIndex
CREATE UNIQUE INDEX "reports_team_id_dedupe_key_key" ON "reports"("team_id", "dedupe_key");

-- CreateIndex
CREATE INDEX "agent_shifts_member_id_ended_at_idx" ON "agent_shifts"("member_id", "ended_at");
