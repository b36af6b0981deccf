import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DATABASE } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { DomainError, notFound } from '../common/errors/domain-error.js';
import { JOB_QUEUE } from '../common/jobs/index.js';
import type { JobQueue } from '../common/jobs/index.js';
import { logger } from '../common/logging/logger.js';
import { RESUMABLE_WORK } from '../common/start/resumable-work.js';
import type { ResumableWork, ResumableWorkRegistry } from '../common/start/resumable-work.js';
import { ChannelRegistry, ChannelsService } from '../channels/index.js';
import { checkEmailAddress } from '../contacts/index.js';
import type { AuthMember } from '../teams/index.js';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { zonedClock } from '../common/text/zoned-time.js';

const SEND_TRANSCRIPT = 'conversations.send-transcript';
// A provider outage delays the transcript, it does not lose it: backoff from 5 s, doubling, over about a day.
const TRANSCRIPT_ATTEMPTS = 15;
const TRANSCRIPT_BACKOFF_MS = 5_000;

interface SendTranscriptJob {
  conversationId: string;
  channelId: string;
  email: string;
  /** Fixes the moment of the request: the transcript holds what was said up to then, however late it goes out. */
  requestedAt: string;
}

const AUTHOR_LABEL = { contact: 'お客様', member: '担当', bot: 'ボット', system: 'システム' } as const;

/**
 * A chat's transcript, sent by email on the customer's request through the team's email channel (README, "The web
 * inbox and the widget"). Somebody asked for it and its retries span a day of an outage, so the request is a
 * `transcript_requests` row until the channel took it: a job lost with the job store is taken up again from there.
 */
@Injectable()
export class TranscriptService implements OnModuleInit, ResumableWork {
  readonly name = 'transcripts to mail';

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(JOB_QUEUE) private readonly jobs: JobQueue,
    @Inject(RESUMABLE_WORK) private readonly resumable: ResumableWorkRegistry,
    private readonly channels: ChannelsService,
    private readonly registry: ChannelRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.resumable.register(this);
    this.jobs.register<SendTranscriptJob>(SEND_TRANSCRIPT, (job, context) => this.sendAndForget(job, context.id), { concurrency: 2 });
  }

  async resume(): Promise<number> {
    const rows = await this.db.transcriptRequest.findMany({ orderBy: { createdAt: 'asc' } });
    for (const row of rows) {
      await this.enqueue(row.id, { conversationId: row.conversationId, channelId: row.channelId, email: row.email, requestedAt: row.requestedAt.toISOString() });
    }
    return rows.length;
  }

  private async enqueue(jobId: string, job: SendTranscriptJob): Promise<void> {
    await this.jobs.add<SendTranscriptJob>(SEND_TRANSCRIPT, job, { jobId, attempts: TRANSCRIPT_ATTEMPTS, backoffMs: TRANSCRIPT_BACKOFF_MS });
  }

  /**
   * `POST /api/conversations/:id/transcript`: checks the address (the usual mistake is a full-width ＠) and the
   * email channel now, and sends in a job.
   */
  async request(member: AuthMember, conversationId: string, input: { email: string; channelId?: string }): Promise<{ email: string; channelId: string }> {
    return this.requestForTeam(member.teamId, conversationId, input);
  }

  /** The same request made by the customer from the widget: the team is the web chat channel's. */
  async requestForTeam(teamId: string, conversationId: string, input: { email: string; channelId?: string }): Promise<{ email: string; channelId: string }> {
    const check = checkEmailAddress(input.email);
    if (!check.ok) {
      throw new DomainError('invalid', 'invalid_email', check.reason, [
        { field: 'email', message: check.suggestion ? `${check.reason} Did you mean ${check.suggestion}?` : check.reason },
      ]);
    }
    const conversation = await this.db.conversation.findFirst({ where: { id: conversationId, teamId }, select: { id: true } });
    if (!conversation) throw notFound('The conversation');
    const channel = await this.db.channel.findFirst({
      where: { teamId, type: 'email', active: true, ...(input.channelId ? { id: input.channelId } : {}) },
      orderBy: { createdAt: 'asc' },
      select: { id: true },
    });
    if (!channel) {
      throw new DomainError('unprocessable', 'no_email_channel', input.channelId ? 'This is not an active email channel of your team.' : 'The team has no active email channel to send the transcript through.');
    }
    const requestedAt = this.clock.now().toISOString();
    const jobId = `transcript-${createHash('sha256').update(`${conversationId}:${check.address}:${requestedAt}`).digest('hex').slice(0, 32)}`;
    // Answered 202 only once the request is kept.
    await this.db.transcriptRequest.createMany({
      data: [{ id: jobId, conversationId, channelId: channel.id, email: check.address, requestedAt: new Date(requestedAt) }],
      skipDuplicates: true,
    });
    await this.enqueue(jobId, { conversationId, channelId: channel.id, email: check.address, requestedAt });
    return { email: check.address, channelId: channel.id };
  }

  private async sendAndForget(job: SendTranscriptJob, jobId: string): Promise<void> {
    await this.send(job);
    // Sent, refused for good, or nothing left to send it for. A throw above (the provider down) keeps the row.
    await this.db.transcriptRequest.deleteMany({ where: { id: jobId } });
  }

  private async send(job: SendTranscriptJob): Promise<void> {
    const channel = await this.channels.account(job.channelId);
    const conversation = await this.db.conversation.findUnique({ where: { id: job.conversationId }, include: { team: { select: { name: true, timeZone: true } } } });
    if (!channel || !conversation) return;
    const messages = await this.db.message.findMany({
      // What the customer saw: never notes, drafts awaiting approval, failed sends or a blocked sender's messages.
      where: {
        conversationId: conversation.id,
        kind: { in: ['text', 'media'] },
        blocked: false,
        unsentAt: null,
        status: { in: ['received', 'sent', 'delivered', 'read'] },
        createdAt: { lte: new Date(job.requestedAt) },
      },
      orderBy: { seq: 'asc' },
      select: { id: true, body: true, authorType: true, createdAt: true, attachments: true },
    });
    const lines = messages.map((m) => {
      const files = Array.isArray(m.attachments) ? m.attachments.length : 0;
      const text = m.body || (files > 0 ? `[添付ファイル ${files} 件]` : '');
      // The team's clock, the zone named: a customer in another zone still reads the times right.
      return `[${zonedClock(m.createdAt, conversation.team.timeZone)}] ${AUTHOR_LABEL[m.authorType]}: ${text}`;
    });
    const result = await this.registry.get(channel.provider).send(channel, {
      // The job's own id stands for the message: a transcript is no message of the conversation.
      messageId: uuidOf(job),
      conversationId: job.conversationId,
      to: { kind: 'email', address: job.email },
      body: [`${conversation.team.name} とのチャットの記録です。`, '', ...lines].join('\n'),
      attachments: [],
      author: { type: 'system', id: null, name: null },
      createdAt: new Date(job.requestedAt),
      seq: '0',
      subject: `${conversation.team.name} チャットの記録`,
    });
    if (result.ok) {
      logger.info({ conversationId: job.conversationId, channelId: job.channelId }, 'transcript sent');
      return;
    }
    // Thrown, the job is tried again later; a permanent refusal (a bounced address) is only logged.
    if (result.retry) throw new Error(`transcript not sent yet: ${result.code}`);
    logger.warn({ conversationId: job.conversationId, channelId: job.channelId, code: result.code }, 'transcript refused by the provider');
  }
}

/** A stable UUID-shaped id per transcript request, for the Message-ID and the provider's custom args. */
function uuidOf(job: SendTranscriptJob): string {
  const hex = createHash('sha256').update(`${job.conversationId}:${job.email}:${job.requestedAt}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
