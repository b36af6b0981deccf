import type { Db } from '../common/database/database.js';
import type { InboxReport } from '../common/realtime/events/index.js';

export type ReportRow = Awaited<ReturnType<Db['report']['findUniqueOrThrow']>>;

/** A report as the API and the inbox show it: the wire shape of the shared event map. */
export type ReportView = InboxReport;

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
    errorCode: row.errorCode,
    quotedReportId: row.quotedReportId,
    providerRequestId: row.providerRequestId,
    providerMessageId: row.providerMessageId,
    quoteToken: row.quoteToken,
    createdAt: row.createdAt.toISOString(),
    sentAt: row.sentAt?.toISOString() ?? null,
  };
}
