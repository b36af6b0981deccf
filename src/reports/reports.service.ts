import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DATABASE, isUniqueViolation } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { DomainError, notFound } from '../common/errors/domain-error.js';
import type { Page } from '../common/http/validation.js';
import { JOB_QUEUE } from '../common/jobs/index.js';
import type { JobQueue } from '../common/jobs/index.js';
import { RESUMABLE_WORK } from '../common/start/resumable-work.js';
import type { ResumableWork, ResumableWorkRegistry } from '../common/start/resumable-work.js';
import { logger } from '../common/logging/logger.js';
import { ChannelRegistry, ChannelsService } from '../channels/index.js';
import type { OutboundMessage, SendResult } from '../channels/index.js';
import { ReportEvents } from './report.events.js';
import { ReportTargetsService } from './report-targets.service.js';
import { toReportView } from './report.views.js';
import type { ReportRow, ReportView } from './report.views.js';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { HUB_METRICS } from '../common/metrics/hub-metrics.js';
import type { HubMetrics } from '../common/metrics/hub-metrics.js';

const DELIVER = 'reports.deliver';

interface DeliverJob {
  reportId: string;
  /** The attempt count this job expects to find; a job that finds another was overtaken and does nothing. */
  attempt: number;
}

/** Backoff while LINE answers 429 or 5xx: 1 s, 2 s, 4 s ... capped at 5 minutes, never given up. */
export function reportRetryDelayMs(attempt: number): number {
  return Math.min(1_000 * 2 ** Math.max(0, attempt - 1), 5 * 60_000);
}

/** How long a resolution waits before looking again at a taking post that is still being delivered. */
const QUOTE_WAIT_MS = 1_000;

export interface NewReport {
  teamId: string;
  kind: 'taking' | 'handoff' | 'resolved' | 'shift_summary' | 'rule';
  purpose: string;
  conversationId?: string;
  memberId?: string;
  text: string;
  dedupeKey: string;
  quotedReportId?: string;
}

/**
 * Writes each post as a `Report` row and delivers it with a job: X-Line-Retry-Key is the row's id, so a retry after a
 * lost answer is answered 409 by LINE (taken as sent), never posted twice; 429 and 5xx are retried with backoff
 * forever, so an outage delays reports and loses none.
 */
@Injectable()
export class ReportsService implements OnModuleInit, ResumableWork {
  readonly name = 'pending reports';

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(JOB_QUEUE) private readonly jobs: JobQueue,
    @Inject(RESUMABLE_WORK) private readonly resumable: ResumableWorkRegistry,
    private readonly registry: ChannelRegistry,
    private readonly channels: ChannelsService,
    private readonly targets: ReportTargetsService,
    private readonly events: ReportEvents,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(HUB_METRICS) private readonly metrics: HubMetrics,
  ) {}

  onModuleInit(): void {
    this.resumable.register(this);
    this.jobs.register<DeliverJob>(DELIVER, (job) => this.deliver(job), { concurrency: 2 });
    this.metrics.gaugeFromDatabase({
      name: 'tsunagi_report_posts_pending',
      help: 'Report posts to LINE groups waiting to be sent.',
      read: () => this.db.report.count({ where: { status: 'pending' } }),
    });
  }

  /**
   * One row per trigger (the dedupe key): the same trigger fired again returns the first row. A purpose mapped to
   * no group writes a failed row the agent sees, retried by hand once an administrator maps it.
   */
  async create(input: NewReport): Promise<ReportView | null> {
    if (!(await this.targets.reports(input.teamId))) return null;
    const target = await this.targets.targetOf(input.teamId, input.purpose);
    let row: ReportRow;
    try {
      row = await this.db.report.create({
        data: {
          teamId: input.teamId,
          kind: input.kind,
          purpose: input.purpose,
          conversationId: input.conversationId ?? null,
          memberId: input.memberId ?? null,
          channelId: target?.channelId ?? null,
          groupId: target?.groupId ?? null,
          text: input.text,
          dedupeKey: input.dedupeKey,
          quotedReportId: input.quotedReportId ?? null,
          ...(target ? {} : { status: 'failed' as const, error: noTargetReason(input.purpose), errorCode: 'report_target_missing' }),
        },
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const known = await this.db.report.findUniqueOrThrow({ where: { teamId_dedupeKey: { teamId: input.teamId, dedupeKey: input.dedupeKey } } });
      // Written by an earlier try whose scheduling may have failed with it: scheduled again (a job already there stays one).
      if (known.status === 'pending') await this.schedule(known.id, known.attempts);
      return toReportView(known);
    }
    this.announce(row);
    if (row.status === 'pending') await this.schedule(row.id, 0);
    return toReportView(row);
  }

  async list(teamId: string, query: { conversationId?: string; limit: number; cursor?: string }): Promise<Page<ReportView>> {
    const rows = await this.db.report.findMany({
      where: { teamId, ...(query.conversationId ? { conversationId: query.conversationId } : {}), ...(query.cursor ? { id: { gt: query.cursor } } : {}) },
      // Ids are UUIDv7: in the order they were written.
      orderBy: { id: 'asc' },
      take: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    return { items: page.map(toReportView), nextCursor: rows.length > query.limit ? page[page.length - 1].id : null };
  }

  /** A failed report sent again, to the group its purpose is mapped to now (an administrator may have fixed it). */
  async retry(teamId: string, id: string): Promise<ReportView> {
    const report = await this.db.report.findFirst({ where: { id, teamId } });
    if (!report) throw notFound('The report');
    if (report.status !== 'failed') {
      throw new DomainError('conflict', 'report_not_failed', `This report is ${report.status}; only a failed report can be retried.`);
    }
    const target = await this.targets.targetOf(teamId, report.purpose);
    if (!target) throw new DomainError('conflict', 'report_target_missing', noTargetReason(report.purpose));
    const { count } = await this.db.report.updateMany({
      where: { id, status: 'failed' },
      data: { status: 'pending', error: null, errorCode: null, channelId: target.channelId, groupId: target.groupId },
    });
    if (count === 0) throw new DomainError('conflict', 'report_changed', 'This report changed meanwhile; reload it.');
    const row = await this.db.report.findUniqueOrThrow({ where: { id } });
    this.announce(row);
    await this.schedule(row.id, row.attempts);
    return toReportView(row);
  }

  /** Every report still pending, e.g. after a restart: a written report is always posted. */
  async resume(): Promise<number> {
    const pending = await this.db.report.findMany({ where: { status: 'pending' }, select: { id: true, attempts: true } });
    for (const row of pending) await this.schedule(row.id, row.attempts);
    return pending.length;
  }

  private async schedule(reportId: string, attempt: number, delayMs = 0, suffix = ''): Promise<void> {
    await this.jobs.add<DeliverJob>(DELIVER, { reportId, attempt }, { jobId: `report-${reportId}-${attempt}${suffix}`, delayMs });
  }

  async deliver({ reportId, attempt }: DeliverJob): Promise<void> {
    const report = await this.db.report.findUnique({ where: { id: reportId } });
    if (!report || report.status !== 'pending' || report.attempts !== attempt) return;
    const quoted = report.quotedReportId ? await this.db.report.findUnique({ where: { id: report.quotedReportId } }) : null;
    // A reply waits for the post it quotes: LINE gives the quote token only once that post is accepted.
    if (quoted?.status === 'pending') {
      // Looked at again as often as the quoted post is retried: through a long outage it does not poll every second.
      await this.schedule(reportId, attempt, Math.max(QUOTE_WAIT_MS, reportRetryDelayMs(quoted.attempts)), `-after-${randomUUID()}`);
      return;
    }
    const channel = report.channelId ? await this.channels.account(report.channelId) : null;
    const adapter = channel ? this.registry.get(channel.provider) : null;
    const group = report.channelId && report.groupId ? await this.db.channelGroup.findUnique({ where: { channelId_groupId: { channelId: report.channelId, groupId: report.groupId } } }) : null;

    // Claim this attempt: one conditional update, so two workers holding the same row post it once.
    const { count } = await this.db.report.updateMany({ where: { id: reportId, status: 'pending', attempts: attempt }, data: { attempts: attempt + 1 } });
    if (count === 0) return;

    let result: SendResult;
    let text = report.text;
    if (!channel || !adapter || !report.groupId) {
      result = { ok: false, retry: false, code: 'report_target_missing', reason: 'The LINE channel of this report’s group was deleted; map the purpose to another group and retry.' };
    } else if (!group || group.status === 'gone') {
      result = { ok: false, retry: false, code: 'group_gone', reason: 'The bot is no longer in this LINE group; map the purpose to another group and retry.' };
    } else {
      const quoteToken = quoted?.quoteToken ?? undefined;
      // Without the taking post's token (it failed, or LINE gave none) the reply names the post it answers.
      if (quoted && !quoteToken) text = namingReply(quoted.text, report.text);
      result = await this.send(channel, adapter, report, text, quoteToken);
      if (!result.ok && !result.retry && quoteToken) {
        // LINE refused the quote (a token of a post it no longer keeps): post it plainly, naming the post instead.
        text = namingReply(quoted!.text, report.text);
        result = await this.send(channel, adapter, report, text);
      }
    }
    await this.record(report, attempt + 1, text, result);
  }

  private async send(
    channel: NonNullable<Awaited<ReturnType<ChannelsService['account']>>>,
    adapter: ReturnType<ChannelRegistry['get']>,
    report: ReportRow,
    body: string,
    quoteToken?: string,
  ): Promise<SendResult> {
    const outbound: OutboundMessage = {
      messageId: report.id,
      conversationId: report.conversationId ?? '',
      to: { kind: 'line_group', address: report.groupId! },
      body,
      attachments: [],
      author: { type: 'system', id: null, name: null },
      createdAt: report.createdAt,
      seq: '0',
      retryKey: report.id,
      ...(quoteToken ? { quoteToken } : {}),
    };
    try {
      return await adapter.send(channel, outbound);
    } catch (error) {
      logger.warn({ err: error, reportId: report.id }, 'report send threw');
      return { ok: false, retry: true, code: 'provider_unreachable', reason: 'LINE could not be reached; retrying.' };
    }
  }

  private async record(report: ReportRow, attempts: number, text: string, result: SendResult): Promise<void> {
    const data = result.ok
      ? {
          status: 'sent' as const,
          error: null,
          errorCode: null,
          text,
          sentAt: this.clock.now(),
          providerMessageId: result.providerMessageId,
          providerRequestId: result.providerRequestId ?? null,
          quoteToken: result.quoteToken ?? null,
        }
      : result.retry
        ? { error: result.reason, errorCode: result.code }
        : { status: 'failed' as const, error: result.reason, errorCode: result.code };
    const row = await this.db.report.update({ where: { id: report.id }, data });
    this.announce(row);
    if (!result.ok && result.retry) await this.schedule(report.id, attempts, Math.max(reportRetryDelayMs(attempts), result.retryAfterMs ?? 0));
  }

  private announce(row: ReportRow): void {
    this.events.emit('report.updated', { teamId: row.teamId, report: toReportView(row) });
  }
}

function noTargetReason(purpose: string): string {
  return `No LINE group is chosen for "${purpose}" reports; an administrator maps one in the report targets, then retry.`;
}

/** A reply posted without LINE's quote: it names the post it answers by that post's first line. */
export function namingReply(quotedText: string, text: string): string {
  const [firstLine] = quotedText.split('\n');
  return `「${firstLine}」への返信\n${text}`;
}
