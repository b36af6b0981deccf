import type { InboxTicket, TicketPriority, TicketStatus } from '../common/realtime/events/index.js';
import { isOverdue } from './ticket-status.js';

export type TicketView = InboxTicket;

export interface TicketRow {
  id: string;
  number: number;
  title: string;
  status: TicketStatus;
  priority: TicketPriority;
  assigneeId: string | null;
  groupId: string | null;
  contactId: string | null;
  conversationId: string | null;
  dueAt: Date | null;
  remindAt: Date | null;
  createdById: string | null;
  createdByRuleId: string | null;
  createdAt: Date;
  updatedAt: Date;
  solvedAt: Date | null;
}

/** `now` decides `overdue`: the hub's clock, so a list read after the clock moved shows it. */
export function toTicketView(row: TicketRow, now: Date): TicketView {
  return {
    id: row.id,
    number: row.number,
    title: row.title,
    status: row.status,
    priority: row.priority,
    assigneeId: row.assigneeId,
    groupId: row.groupId,
    contactId: row.contactId,
    conversationId: row.conversationId,
    dueAt: row.dueAt?.toISOString() ?? null,
    remindAt: row.remindAt?.toISOString() ?? null,
    overdue: isOverdue(row, now),
    createdBy: row.createdById ? { kind: 'member', memberId: row.createdById } : row.createdByRuleId ? { kind: 'rule', ruleId: row.createdByRuleId } : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    solvedAt: row.solvedAt?.toISOString() ?? null,
  };
}
