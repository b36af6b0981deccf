-- A failed delivery keeps the stable code the inbox shows in the member's language, and the provider's own terms.
-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "error_code" TEXT,
ADD COLUMN     "error_details" JSONB;

-- AlterTable
ALTER TABLE "early_statuses" ADD COLUMN     "error_code" TEXT,
ADD COLUMN     "error_details" JSONB;

-- AlterTable
ALTER TABLE "reports" ADD COLUMN     "error_code" TEXT;
