-- The messages a member wrote, for the message search's member filter: its count intersects these with the word's
-- hits (and the member's chats' messages) before reading the table, instead of reading every hit to test its
-- author. Customers' messages have no author id, so inbound messages never enter this index.
CREATE INDEX "messages_author_id_idx" ON "messages" ("author_id") WHERE "author_id" IS NOT NULL;
