import { DomainError } from '../common/errors/domain-error.js';
import type { TicketStatus } from '../common/realtime/events/index.js';

/**
 * Where a ticket may go from each status. Closed is final (a closed ticket is history); solved can be reopened
 * (the customer was not helped after all) or closed; the open and waiting statuses move freely among themselves.
 */
const NEXT: Record<TicketStatus, readonly TicketStatus[]> = {
  open: ['pending_customer', 'pending_us', 'solved', 'closed'],
  pending_customer: ['open', 'pending_us', 'solved', 'closed'],
  pending_us: ['open', 'pending_customer', 'solved', 'closed'],
  solved: ['open', 'closed'],
  closed: [],
};

/** Not solved nor closed: it can be overdue, reminded, and waited on. */
export const UNSOLVED: readonly TicketStatus[] = ['open', 'pending_customer', 'pending_us'];

export function isUnsolved(status: TicketStatus): boolean {
  return UNSOLVED.includes(status);
}

/** Refuses a move the rules do not allow; the same status again is no move (answered as it is). */
export function assertTransition(from: TicketStatus, to: TicketStatus): void {
  if (from === to) return;
  if (from === 'closed') throw new DomainError('conflict', 'ticket_closed', 'This ticket is closed and can no longer change.');
  if (!NEXT[from].includes(to)) throw new DomainError('conflict', 'ticket_status_not_allowed', `A ${from} ticket cannot become ${to}.`);
}

/** Past its due time and still to do. */
export function isOverdue(ticket: { status: TicketStatus; dueAt: Date | null }, now: Date): boolean {
  return ticket.dueAt !== null && ticket.dueAt.getTime() <= now.getTime() && isUnsolved(ticket.status);
}

/** An hour before the due time unless set otherwise. */
export const DEFAULT_REMIND_BEFORE_MS = 60 * 60_000;

/**
 * The reminder time a ticket gets: the one asked for, else an hour before the due time (or the due time itself when
 * that hour has already begun); none without a due time.
 */
export function reminderTime(dueAt: Date | null, asked: Date | null | undefined, now: Date): Date | null {
  if (dueAt === null) {
    if (asked) throw new DomainError('invalid', 'reminder_without_due', 'A ticket without a due time cannot have a reminder.');
    return null;
  }
  if (asked) {
    if (asked.getTime() > dueAt.getTime()) throw new DomainError('invalid', 'reminder_after_due', 'The reminder must come before the due time.');
    return asked;
  }
  const before = new Date(dueAt.getTime() - DEFAULT_REMIND_BEFORE_MS);
  return before.getTime() < now.getTime() ? (dueAt.getTime() < now.getTime() ? null : dueAt) : before;
}
