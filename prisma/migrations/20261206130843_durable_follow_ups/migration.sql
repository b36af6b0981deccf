-- AlterTable
ALTER TABLE "conversations" ADD COLUMN     "routed_at" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "follow_ups" (
    "message_id" TEXT NOT NULL,
    "work" JSONB NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "follow_ups_pkey" PRIMARY KEY ("message_id")
);

-- AddForeignKey
ALTER TABLE "follow_ups" ADD CONSTRAINT "follow_ups_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;
