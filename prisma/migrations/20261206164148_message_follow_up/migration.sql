-- The follow-up marker moves onto the message: written in its INSERT instead of a row of its own inserted and then
-- deleted per message; cleared by one UPDATE once the work is done.
ALTER TABLE "messages" ADD COLUMN     "follow_up" JSONB;

-- Markers a stopped process left are kept.
UPDATE "messages" AS m SET "follow_up" = f."work" FROM "follow_ups" AS f WHERE f."message_id" = m."id";

-- DropForeignKey
ALTER TABLE "follow_ups" DROP CONSTRAINT "follow_ups_message_id_fkey";

-- DropTable
DROP TABLE "follow_ups";

-- The pending ones only, for the start that takes them up: nearly every message has none, so the index stays small.
CREATE INDEX "messages_follow_up_pending_idx" ON "messages" ("id") WHERE "follow_up" IS NOT NULL;
