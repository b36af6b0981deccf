-- CreateIndex
CREATE INDEX "products_team_id_item_group_id_idx" ON "products"("team_id", "item_group_id");
