import type { Tx } from '../common/database/database.js';

/**
 * Whether a member has room for one more chat, counted with their row locked until the transaction ends: two
 * chats taken at once by one member (two devices, two processes) cannot both squeeze under the capacity.
 */
export async function hasRoomFor(tx: Tx, memberId: string): Promise<boolean> {
  const [me] = await tx.$queryRaw<{ capacity: number }[]>`SELECT capacity FROM members WHERE id = ${memberId} FOR UPDATE`;
  const load = await tx.conversation.count({ where: { assigneeId: memberId, status: 'open' } });
  return !me || load < me.capacity;
}
