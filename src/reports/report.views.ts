import type { Db } from '../common/database/database.js';

export type ReportRow = Awaited<ReturnType<Db['report']['findUniqueOrThrow']>>;

/** A report as the API and the inbox show it. */
export interface ReportView {
  id: string;
  kind: string;
  purpose: string;
  conversationId: string | null;
  memberId: string | null;
  channelId: string | null;
  groupId: string | null;
  text: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  error: string | null;
  quotedReportId: string | null;
  providerRequestId: string | null;
  providerMessageId: string | null;
  quoteToken: string | null;
  createdAt: string;
  sentAt: string | null;
}

export function toReportView(row: ReportRow): ReportView {
  return {
    id: row.id,
    kind: row.kind,
    purpose: row.purpose,
    conversationId: row.conversationId,
    memberId: row.memberId,
    channelId: row.channelId,
    groupId: row.groupId,
    text: row.text,
    status: row.status,
    attempts: row.attempts,
    error: row.error,
    quotedReportId: row.quotedReportId,
    providerRequestId: row.providerRequestId,
    providerMessageId: row.providerMessageId,
    quoteToken: row.quoteToken,
    createdAt: row.createdAt.toISOString(),
    sentAt: row.sentAt?.toISOString() ?? null,
  };
}
