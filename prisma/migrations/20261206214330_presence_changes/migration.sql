-- CreateTable
CREATE TABLE "presence_changes" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "member_id" TEXT NOT NULL,
    "status" "MemberStatus" NOT NULL,
    "reason" TEXT NOT NULL,
    "by_id" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "presence_changes_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "presence_changes_member_id_at_idx" ON "presence_changes"("member_id", "at");

-- AddForeignKey
ALTER TABLE "presence_changes" ADD CONSTRAINT "presence_changes_member_id_fkey" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE CASCADE ON UPDATE CASCADE;
