-- Typing mistakes in Latin words ("lenin dres" for "linen dress"): trigram word similarity over the products' folded
-- search text. pg_trgm is a trusted extension (PostgreSQL 13 and later): the hub's own role may create it. The
-- embedded database loads it from PGlite's own package.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Read only when a search finds nothing as typed: `<%` (word similarity) through this index.
CREATE INDEX "products_search_trgm_idx" ON "products" USING gin ("search_text" gin_trgm_ops);
