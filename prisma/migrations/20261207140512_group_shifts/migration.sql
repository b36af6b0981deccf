-- AlterTable
ALTER TABLE "conversations" ADD COLUMN     "route_group_id" TEXT,
ADD COLUMN     "route_member_id" TEXT;

-- AlterTable
ALTER TABLE "member_groups" ADD COLUMN     "business_hours" JSONB,
ADD COLUMN     "routing_position" INTEGER;
