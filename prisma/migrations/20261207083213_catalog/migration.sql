-- CreateTable
CREATE TABLE "catalog_sources" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "url" TEXT,
    "sync_every_hours" INTEGER NOT NULL DEFAULT 24,
    "currency" TEXT,
    "last_synced_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "catalog_sources_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "products" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "source_id" TEXT NOT NULL,
    "external_id" TEXT NOT NULL,
    "item_group_id" TEXT,
    "sku" TEXT,
    "gtin" TEXT,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "category" TEXT,
    "keywords" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "brand" TEXT,
    "price" INTEGER,
    "sale_price" INTEGER,
    "currency" TEXT,
    "availability" TEXT NOT NULL,
    "image_urls" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "url" TEXT,
    "variant" JSONB,
    "search_text" TEXT NOT NULL,
    "content_hash" TEXT NOT NULL,
    "missing_since" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "products_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "catalog_syncs" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "source_id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "started_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMP(3),
    "added" INTEGER NOT NULL DEFAULT 0,
    "updated" INTEGER NOT NULL DEFAULT 0,
    "unchanged" INTEGER NOT NULL DEFAULT 0,
    "unavailable" INTEGER NOT NULL DEFAULT 0,
    "refused_count" INTEGER NOT NULL DEFAULT 0,
    "refused" JSONB NOT NULL DEFAULT '[]',
    "error" TEXT,
    "feed_file" TEXT,

    CONSTRAINT "catalog_syncs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "catalog_sources_team_id_idx" ON "catalog_sources"("team_id");

-- CreateIndex
CREATE INDEX "products_team_id_gtin_idx" ON "products"("team_id", "gtin");

-- CreateIndex
CREATE INDEX "products_team_id_sku_idx" ON "products"("team_id", "sku");

-- CreateIndex
CREATE INDEX "products_team_id_category_idx" ON "products"("team_id", "category");

-- CreateIndex
CREATE UNIQUE INDEX "products_source_id_external_id_key" ON "products"("source_id", "external_id");

-- CreateIndex
CREATE INDEX "catalog_syncs_source_id_started_at_idx" ON "catalog_syncs"("source_id", "started_at" DESC);

-- AddForeignKey
ALTER TABLE "products" ADD CONSTRAINT "products_source_id_fkey" FOREIGN KEY ("source_id") REFERENCES "catalog_sources"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "catalog_syncs" ADD CONSTRAINT "catalog_syncs_source_id_fkey" FOREIGN KEY ("source_id") REFERENCES "catalog_sources"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The catalog search looks products up by the pairs of characters of their folded text, with the message search's
-- own function; the schema cannot say an index on an expression.
CREATE INDEX "products_search_bigrams_idx" ON "products" USING gin (search_bigrams("search_text"));
