import type { Db } from '../common/database/database.js';

/** How many open conversations each of these members holds (a member holding none is absent: read it as 0). */
export async function openLoads(db: Db, teamId: string, memberIds?: string[]): Promise<Map<string, number>> {
  const rows = await db.conversation.groupBy({
    by: ['assigneeId'],
    where: { teamId, status: 'open', assigneeId: memberIds ? { in: memberIds } : { not: null } },
    _count: { _all: true },
  });
  return new Map(rows.map((row) => [row.assigneeId!, row._count._all]));
}
