-- AlterTable
ALTER TABLE "conversations" ADD COLUMN     "rule_group_id" TEXT;

-- CreateTable
CREATE TABLE "event_log" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "conversation_id" TEXT,
    "data" JSONB NOT NULL,
    "occurred_at" TIMESTAMP(3) NOT NULL,
    "pending" TEXT[] DEFAULT ARRAY[]::TEXT[],

    CONSTRAINT "event_log_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "automation_rules" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "event" TEXT NOT NULL,
    "conditions" JSONB NOT NULL DEFAULT '[]',
    "actions" JSONB NOT NULL DEFAULT '[]',
    "stop_processing" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "automation_rules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "automation_runs" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "event_id" TEXT NOT NULL,
    "event_type" TEXT NOT NULL,
    "rule_id" TEXT NOT NULL,
    "rule_name" TEXT NOT NULL,
    "conversation_id" TEXT,
    "status" TEXT NOT NULL,
    "conditions" JSONB NOT NULL DEFAULT '[]',
    "actions" JSONB NOT NULL DEFAULT '[]',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMP(3),

    CONSTRAINT "automation_runs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "event_log_conversation_id_id_idx" ON "event_log"("conversation_id", "id");

-- CreateIndex
CREATE INDEX "event_log_occurred_at_idx" ON "event_log"("occurred_at");

-- CreateIndex
CREATE INDEX "automation_rules_team_id_position_idx" ON "automation_rules"("team_id", "position");

-- CreateIndex
CREATE INDEX "automation_runs_team_id_id_idx" ON "automation_runs"("team_id", "id" DESC);

-- CreateIndex
CREATE INDEX "automation_runs_created_at_idx" ON "automation_runs"("created_at");

-- CreateIndex
CREATE UNIQUE INDEX "automation_runs_event_id_rule_id_key" ON "automation_runs"("event_id", "rule_id");

-- The events some consumer still waits for, for the start that takes them up: most rows wait for none once handled.
CREATE INDEX "event_log_pending_idx" ON "event_log" ("id") WHERE cardinality("pending") > 0;
