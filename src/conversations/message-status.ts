/** Delivery statuses only move forward; a late or reordered callback never moves one back. */
export type ReportedStatus = 'sent' | 'delivered' | 'read' | 'failed';

export const EARLIER_STATUSES: Record<ReportedStatus, ('queued' | 'sent' | 'delivered')[]> = {
  sent: ['queued'],
  delivered: ['queued', 'sent'],
  read: ['queued', 'sent', 'delivered'],
  // A failure after delivery is a provider's late retraction we do not believe: the customer has it.
  failed: ['queued', 'sent'],
};

const RANK: Record<ReportedStatus, number> = { sent: 1, delivered: 2, failed: 2, read: 3 };

/** Of several reports about one message, the one that tells the most (read beats delivered beats sent). */
export function furthest<T extends { status: ReportedStatus }>(reports: T[]): T | undefined {
  return [...reports].sort((a, b) => RANK[b.status] - RANK[a.status])[0];
}
