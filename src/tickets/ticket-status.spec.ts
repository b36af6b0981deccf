import { describe, expect, it } from '@jest/globals';
import { DomainError } from '../common/errors/domain-error.js';
import { assertTransition, isOverdue, reminderTime } from './ticket-status.js';

const codeOf = (work: () => void): string | null => {
  try {
    work();
    return null;
  } catch (error) {
    return error instanceof DomainError ? error.code : 'not a domain error';
  }
};

describe('ticket status rules', () => {
  it('lets open and waiting tickets move among themselves and to solved or closed', () => {
    expect(codeOf(() => assertTransition('open', 'pending_customer'))).toBeNull();
    expect(codeOf(() => assertTransition('pending_customer', 'pending_us'))).toBeNull();
    expect(codeOf(() => assertTransition('pending_us', 'solved'))).toBeNull();
    expect(codeOf(() => assertTransition('open', 'closed'))).toBeNull();
  });

  it('reopens or closes a solved ticket, and nothing else', () => {
    expect(codeOf(() => assertTransition('solved', 'open'))).toBeNull();
    expect(codeOf(() => assertTransition('solved', 'closed'))).toBeNull();
    expect(codeOf(() => assertTransition('solved', 'pending_customer'))).toBe('ticket_status_not_allowed');
  });

  // A closed ticket is history: reopening it would bring back reminders and replies joining it.
  it('refuses every move out of closed', () => {
    for (const to of ['open', 'pending_customer', 'pending_us', 'solved'] as const) expect(codeOf(() => assertTransition('closed', to))).toBe('ticket_closed');
  });

  it('takes the same status again as no move', () => {
    expect(codeOf(() => assertTransition('closed', 'closed'))).toBeNull();
  });

  it('counts a ticket overdue from its due time while it is unsolved', () => {
    const due = new Date('2026-12-07T10:00:00Z');
    expect(isOverdue({ status: 'open', dueAt: due }, new Date('2026-12-07T09:59:59Z'))).toBe(false);
    expect(isOverdue({ status: 'pending_customer', dueAt: due }, due)).toBe(true);
    expect(isOverdue({ status: 'solved', dueAt: due }, new Date('2026-12-08T00:00:00Z'))).toBe(false);
    expect(isOverdue({ status: 'open', dueAt: null }, new Date('2030-01-01T00:00:00Z'))).toBe(false);
  });
});

describe('reminder times', () => {
  const now = new Date('2026-12-07T08:00:00Z');

  it('reminds an hour before the due time by default', () => {
    expect(reminderTime(new Date('2026-12-07T12:00:00Z'), undefined, now)).toEqual(new Date('2026-12-07T11:00:00Z'));
  });

  it('reminds at the due time when the hour before it has begun, and not at all once it passed', () => {
    expect(reminderTime(new Date('2026-12-07T08:30:00Z'), undefined, now)).toEqual(new Date('2026-12-07T08:30:00Z'));
    expect(reminderTime(new Date('2026-12-07T07:00:00Z'), undefined, now)).toBeNull();
  });

  it('takes the time asked for, refusing one after the due time or without one', () => {
    expect(reminderTime(new Date('2026-12-07T12:00:00Z'), new Date('2026-12-07T09:00:00Z'), now)).toEqual(new Date('2026-12-07T09:00:00Z'));
    expect(codeOf(() => reminderTime(new Date('2026-12-07T12:00:00Z'), new Date('2026-12-07T13:00:00Z'), now))).toBe('reminder_after_due');
    expect(codeOf(() => reminderTime(null, new Date('2026-12-07T09:00:00Z'), now))).toBe('reminder_without_due');
    expect(reminderTime(null, undefined, now)).toBeNull();
  });
});
