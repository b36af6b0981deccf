-- CreateEnum
CREATE TYPE "TicketStatus" AS ENUM ('open', 'pending_customer', 'pending_us', 'solved', 'closed');

-- CreateEnum
CREATE TYPE "TicketPriority" AS ENUM ('low', 'normal', 'high', 'urgent');

-- CreateTable
CREATE TABLE "ticket_counters" (
    "team_id" TEXT NOT NULL,
    "last" INTEGER NOT NULL,

    CONSTRAINT "ticket_counters_pkey" PRIMARY KEY ("team_id")
);

-- CreateTable
CREATE TABLE "tickets" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "status" "TicketStatus" NOT NULL DEFAULT 'open',
    "priority" "TicketPriority" NOT NULL DEFAULT 'normal',
    "assignee_id" TEXT,
    "group_id" TEXT,
    "contact_id" TEXT,
    "conversation_id" TEXT,
    "due_at" TIMESTAMP(3),
    "remind_at" TIMESTAMP(3),
    "reminded_for" TIMESTAMP(3),
    "overdue_for" TIMESTAMP(3),
    "waiting_since" TIMESTAMP(3),
    "created_by_id" TEXT,
    "created_by_rule_id" TEXT,
    "dedupe_key" TEXT,
    "solved_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tickets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ticket_comments" (
    "id" TEXT NOT NULL,
    "ticket_id" TEXT NOT NULL,
    "author_id" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ticket_comments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ticket_activities" (
    "id" TEXT NOT NULL,
    "ticket_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "data" JSONB NOT NULL DEFAULT '{}',
    "actor_id" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ticket_activities_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ticket_messages" (
    "message_id" TEXT NOT NULL,
    "ticket_id" TEXT NOT NULL,
    "conversation_id" TEXT NOT NULL,
    "joined_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ticket_messages_pkey" PRIMARY KEY ("message_id")
);

-- CreateIndex
CREATE INDEX "tickets_team_id_status_due_at_idx" ON "tickets"("team_id", "status", "due_at");

-- CreateIndex
CREATE INDEX "tickets_team_id_assignee_id_due_at_idx" ON "tickets"("team_id", "assignee_id", "due_at");

-- CreateIndex
CREATE INDEX "tickets_contact_id_status_updated_at_idx" ON "tickets"("contact_id", "status", "updated_at");

-- CreateIndex
CREATE INDEX "tickets_conversation_id_idx" ON "tickets"("conversation_id");

-- CreateIndex
CREATE INDEX "tickets_team_id_created_at_idx" ON "tickets"("team_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "tickets_team_id_number_key" ON "tickets"("team_id", "number");

-- CreateIndex
CREATE UNIQUE INDEX "tickets_team_id_dedupe_key_key" ON "tickets"("team_id", "dedupe_key");

-- CreateIndex
CREATE INDEX "ticket_comments_ticket_id_created_at_idx" ON "ticket_comments"("ticket_id", "created_at");

-- CreateIndex
CREATE INDEX "ticket_activities_ticket_id_created_at_idx" ON "ticket_activities"("ticket_id", "created_at");

-- CreateIndex
CREATE INDEX "ticket_messages_ticket_id_joined_at_idx" ON "ticket_messages"("ticket_id", "joined_at");

-- CreateIndex
CREATE INDEX "ticket_messages_conversation_id_idx" ON "ticket_messages"("conversation_id");

-- AddForeignKey
ALTER TABLE "ticket_comments" ADD CONSTRAINT "ticket_comments_ticket_id_fkey" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ticket_activities" ADD CONSTRAINT "ticket_activities_ticket_id_fkey" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ticket_messages" ADD CONSTRAINT "ticket_messages_ticket_id_fkey" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE CASCADE ON UPDATE CASCADE;
