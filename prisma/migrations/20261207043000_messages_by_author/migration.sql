-- The messages members wrote, for the message search's member filter: its count intersects these with the word's
-- hits (and the member's chats' messages) before reading the table, instead of reading every hit to test its
-- author. Partial: a customer's message (author_type 'contact', the most of them) never enters it, so ingest does
-- not pay for it.
CREATE INDEX "messages_member_author_idx" ON "messages" ("author_id") WHERE "author_type" = 'member';
