-- The customer's message whose slow answer was told: a timer that fires again for it stays quiet.
ALTER TABLE "conversations" ADD COLUMN "slow_reply_notice_for" TEXT;
