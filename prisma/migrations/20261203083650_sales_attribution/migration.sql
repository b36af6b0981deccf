-- CreateEnum
CREATE TYPE "ShopperEventType" AS ENUM ('page_view', 'product_view', 'add_to_cart', 'purchase');

-- CreateEnum
CREATE TYPE "SaleStatus" AS ENUM ('completed', 'refunded', 'cancelled');

-- CreateTable
CREATE TABLE "shopper_events" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "channel_id" TEXT NOT NULL,
    "visitor_id" TEXT NOT NULL,
    "type" "ShopperEventType" NOT NULL,
    "url" TEXT,
    "product" JSONB,
    "order_id" TEXT,
    "order" JSONB,
    "occurred_at" TIMESTAMP(3) NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "shopper_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sale_touches" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "conversation_id" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "replied_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "sale_touches_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sales" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "order_id" TEXT NOT NULL,
    "amount" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "occurred_at" TIMESTAMP(3) NOT NULL,
    "items" JSONB NOT NULL DEFAULT '[]',
    "member_id" TEXT,
    "conversation_id" TEXT,
    "reason" JSONB NOT NULL,
    "status" "SaleStatus" NOT NULL DEFAULT 'completed',
    "reversed_at" TIMESTAMP(3),
    "seen_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sales_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "shopper_events_channel_id_visitor_id_occurred_at_idx" ON "shopper_events"("channel_id", "visitor_id", "occurred_at");

-- CreateIndex
CREATE INDEX "shopper_events_team_id_order_id_idx" ON "shopper_events"("team_id", "order_id");

-- CreateIndex
CREATE INDEX "sale_touches_team_id_member_id_replied_at_idx" ON "sale_touches"("team_id", "member_id", "replied_at");

-- CreateIndex
CREATE UNIQUE INDEX "sale_touches_conversation_id_member_id_key" ON "sale_touches"("conversation_id", "member_id");

-- CreateIndex
CREATE INDEX "sales_team_id_occurred_at_idx" ON "sales"("team_id", "occurred_at");

-- CreateIndex
CREATE INDEX "sales_member_id_occurred_at_idx" ON "sales"("member_id", "occurred_at");

-- CreateIndex
CREATE UNIQUE INDEX "sales_team_id_order_id_key" ON "sales"("team_id", "order_id");
