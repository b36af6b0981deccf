-- CreateEnum
CREATE TYPE "SessionState" AS ENUM ('starting', 'pairing', 'ready', 'disconnected');

-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "template" JSONB;

-- CreateTable
CREATE TABLE "channel_sessions" (
    "channel_id" TEXT NOT NULL,
    "state" "SessionState" NOT NULL DEFAULT 'starting',
    "qr" TEXT,
    "detail" TEXT,
    "holder" TEXT,
    "lease_until" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "channel_sessions_pkey" PRIMARY KEY ("channel_id")
);

-- AddForeignKey
ALTER TABLE "channel_sessions" ADD CONSTRAINT "channel_sessions_channel_id_fkey" FOREIGN KEY ("channel_id") REFERENCES "channels"("id") ON DELETE CASCADE ON UPDATE CASCADE;
