-- CreateIndex
CREATE INDEX "offers_status_idx" ON "offers"("status");
