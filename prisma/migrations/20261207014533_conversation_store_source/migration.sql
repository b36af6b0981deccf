-- A conversation's store as detected when it was resolved is kept beside the agents' choices (source 'detected',
-- no member), so that the conversation history is filtered by store in the database; the rows so far are all an
-- agent's choice.
-- AlterTable
ALTER TABLE "conversation_stores" ADD COLUMN     "source" TEXT NOT NULL DEFAULT 'agent',
ALTER COLUMN "set_by" DROP NOT NULL;

-- CreateIndex
CREATE INDEX "conversation_stores_team_id_store_idx" ON "conversation_stores"("team_id", "store");
