-- AlterEnum
ALTER TYPE "MessageStatus" ADD VALUE 'rejected';

-- AlterTable
ALTER TABLE "conversations" ADD COLUMN     "category_id" TEXT,
ADD COLUMN     "handled" BOOLEAN,
ADD COLUMN     "rated_at" TIMESTAMP(3),
ADD COLUMN     "rating_comment" TEXT,
ADD COLUMN     "rating_requested_at" TIMESTAMP(3),
ADD COLUMN     "rating_score" INTEGER;

-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "review_feedback" TEXT,
ADD COLUMN     "reviewed_at" TIMESTAMP(3),
ADD COLUMN     "reviewed_by_id" TEXT;

-- CreateTable
CREATE TABLE "categories" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "parent_id" TEXT,
    "name" TEXT NOT NULL,
    "level" INTEGER NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "categories_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "canned_replies" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "owner_id" TEXT,
    "short_code" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "category_id" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "canned_replies_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "canned_reply_uses" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "canned_reply_id" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "message_id" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "canned_reply_uses_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "categories_team_id_idx" ON "categories"("team_id");

-- CreateIndex
CREATE UNIQUE INDEX "canned_replies_team_id_scope_short_code_key" ON "canned_replies"("team_id", "scope", "short_code");

-- CreateIndex
CREATE UNIQUE INDEX "canned_reply_uses_message_id_key" ON "canned_reply_uses"("message_id");

-- CreateIndex
CREATE INDEX "canned_reply_uses_team_id_created_at_idx" ON "canned_reply_uses"("team_id", "created_at");

-- CreateIndex
CREATE INDEX "conversations_team_id_created_at_idx" ON "conversations"("team_id", "created_at");

-- CreateIndex
CREATE INDEX "messages_team_id_created_at_idx" ON "messages"("team_id", "created_at");

-- CreateIndex
CREATE INDEX "messages_status_idx" ON "messages"("status");

-- AddForeignKey
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_category_id_fkey" FOREIGN KEY ("category_id") REFERENCES "categories"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "categories" ADD CONSTRAINT "categories_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "categories"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "canned_reply_uses" ADD CONSTRAINT "canned_reply_uses_canned_reply_id_fkey" FOREIGN KEY ("canned_reply_id") REFERENCES "canned_replies"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Message search: every pair of adjacent characters of the lower-cased text, so that a word of two characters in
-- text without spaces (Japanese) is found through an index. A query's pairs must all be present (the index narrows),
-- then the text must contain the query (exact).
CREATE FUNCTION text_bigrams(t text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT substr(lower(t), i, 2)), '{}'::text[])
  FROM generate_series(1, char_length(t) - 1) AS i
$$;

CREATE INDEX "messages_body_bigrams_idx" ON "messages" USING gin (text_bigrams("body"));
