-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "products" JSONB;

-- CreateTable
CREATE TABLE "product_links" (
    "token" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "conversation_id" TEXT NOT NULL,
    "message_id" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "product_id" TEXT NOT NULL,
    "target_url" TEXT NOT NULL,
    "opens" INTEGER NOT NULL DEFAULT 0,
    "first_opened_at" TIMESTAMP(3),
    "last_opened_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "product_links_pkey" PRIMARY KEY ("token")
);

-- CreateIndex
CREATE INDEX "product_links_team_id_created_at_idx" ON "product_links"("team_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "product_links_message_id_position_key" ON "product_links"("message_id", "position");

-- AddForeignKey
ALTER TABLE "product_links" ADD CONSTRAINT "product_links_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;
