-- DropIndex
DROP INDEX "conversations_team_id_assignee_id_idx";

-- DropIndex
DROP INDEX "conversations_team_id_status_last_message_at_idx";

-- CreateIndex
CREATE INDEX "conversations_team_id_last_message_at_id_idx" ON "conversations"("team_id", "last_message_at", "id");

-- CreateIndex
CREATE INDEX "conversations_team_id_status_last_message_at_id_idx" ON "conversations"("team_id", "status", "last_message_at", "id");

-- CreateIndex
CREATE INDEX "conversations_team_id_assignee_id_status_last_message_at_id_idx" ON "conversations"("team_id", "assignee_id", "status", "last_message_at", "id");

-- Message search, reshaped for words found in many messages (counting 100,000 hits reads them all):
-- 1. The pairs are indexed as a tsvector (each pair a lexeme, taken as it is) rather than an array. The array's
--    containment (@>) is always rechecked, which computed every candidate's pairs again; a text-search query of
--    plain pairs ('予約' & '約変') is answered by the index alone. The text must still contain the query: its pairs
--    can be apart.
-- 2. The pairs are taken in linear time: text_bigrams lowered the whole text again for every pair.
-- 3. Only the first 100,000 characters are indexed: a tsvector holds at most 1 MB of lexemes, and a longer text with
--    that many different pairs would fail its insert.
-- search_bigrams calls nothing outside pg_catalog: index builds and ANALYZE run it with that search path only.
DROP INDEX "messages_body_bigrams_idx";
DROP FUNCTION text_bigrams(text);

CREATE FUNCTION search_bigrams(t text) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT array_to_tsvector(coalesce(array_agg(DISTINCT p.a || p.b), '{}'::text[]))
  FROM (SELECT string_to_array(lower(left(t, 100000)), NULL) AS c) AS s,
       unnest(s.c[1:cardinality(s.c) - 1], s.c[2:cardinality(s.c)]) AS p(a, b)
$$;

-- Every pair of the query, quoted as a lexeme (quotes and backslashes doubled), joined by &. Null under two characters.
CREATE FUNCTION search_bigram_query(t text) RETURNS tsquery LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT string_agg('''' || replace(replace(b, '\', '\\'), '''', '''''') || '''', ' & ')::tsquery
  FROM unnest(tsvector_to_array(search_bigrams(t))) AS b
$$;

CREATE INDEX "messages_body_bigrams_idx" ON "messages" USING gin (search_bigrams("body"));
