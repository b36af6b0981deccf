import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DATABASE, Prisma } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { JOB_QUEUE } from '../common/jobs/index.js';
import type { JobQueue } from '../common/jobs/index.js';
import { RESUMABLE_WORK } from '../common/start/resumable-work.js';
import type { ResumableWork, ResumableWorkRegistry } from '../common/start/resumable-work.js';
import { CustomerNotices } from '../channels/index.js';
import { ConversationEvents, claimSlowReplyNotice } from '../conversations/index.js';
import { readTeamSettings } from '../teams/index.js';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';

const CHECK = 'routing.slow-reply';

interface SlowReplyJob {
  conversationId: string;
  /** The customer's message whose answer is awaited. */
  messageId: string;
}

/** What counts as an answer: something an agent (or the hub's bot) actually sent, not a note nor a withdrawn reply. */
const answerFilter: Prisma.MessageWhereInput = {
  direction: 'out',
  kind: { in: ['text', 'media'] },
  authorType: { in: ['member', 'bot'] },
  status: { notIn: ['failed', 'pending_approval', 'rejected'] },
};

/**
 * The slow-reply fallback: a customer who has waited `slowReplySeconds` for an agent's answer on a channel that
 * shows notices is offered to leave their message by email instead (the widget's form). One timer per customer
 * message, each a delayed job that looks at the messages when it fires, so a restart loses nothing and only the
 * first unanswered message of a stretch speaks.
 */
@Injectable()
export class SlowReplyService implements OnModuleInit, ResumableWork {
  readonly name = 'slow reply timers';

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(JOB_QUEUE) private readonly jobs: JobQueue,
    @Inject(RESUMABLE_WORK) private readonly resumable: ResumableWorkRegistry,
    private readonly conversations: ConversationEvents,
    private readonly notices: CustomerNotices,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.resumable.register(this);
    this.jobs.register<SlowReplyJob>(CHECK, (job) => this.check(job));
    this.conversations.on('message.created', async ({ message, provider }) => {
      if (message.direction !== 'in' || message.kind === 'event') return;
      // Most customers' messages come by channels that show no notices: when the event says so, nothing is read.
      if (provider && !this.notices.shownBy(provider)) return;
      // Just written: the whole threshold is still ahead.
      await this.watch(message.conversationId, message.id, 0);
    });
  }

  /** After a restart: every conversation still waiting for an answer, on a channel that shows notices, gets its timer again. */
  async resume(): Promise<number> {
    const waiting = await this.db.conversation.findMany({
      where: { status: { not: 'resolved' }, unreplied: true, channel: { provider: { in: this.notices.providers() } } },
      select: { id: true },
    });
    let timers = 0;
    for (const conversation of waiting) {
      const first = await this.firstUnanswered(conversation.id);
      if (first) {
        await this.watch(conversation.id, first.id, this.clock.now().getTime() - first.createdAt.getTime());
        timers++;
      }
    }
    return timers;
  }

  /** `waitedMs`: how long the customer has waited already (after a restart), counted off the threshold. */
  private async watch(conversationId: string, messageId: string, waitedMs: number): Promise<void> {
    // One read on every customer message: most are on channels that show no notices, and those return here.
    const conversation = await this.db.conversation.findUnique({ where: { id: conversationId }, select: { channel: { select: { provider: true } }, team: { select: { settings: true } } } });
    if (!conversation || !this.notices.shownBy(conversation.channel.provider)) return;
    const threshold = readTeamSettings(conversation.team.settings).slowReplySeconds;
    if (threshold === null) return;
    const delayMs = Math.max(0, threshold * 1000 - waitedMs);
    await this.jobs.add<SlowReplyJob>(CHECK, { conversationId, messageId }, { jobId: `slow-reply-${messageId}`, delayMs });
  }

  private async check(job: SlowReplyJob): Promise<void> {
    const conversation = await this.db.conversation.findUnique({ where: { id: job.conversationId } });
    if (!conversation || conversation.status === 'resolved') return;
    const first = await this.firstUnanswered(conversation.id);
    // Answered since, or a later message of a stretch whose first already spoke.
    if (first?.id !== job.messageId) return;
    // Told once per message. Claimed before telling: a notice lost to a failure here is a courtesy missed, where one
    // told twice would repeat itself to the customer.
    if (!(await claimSlowReplyNotice(this.db, conversation.id, job.messageId))) return;
    await this.notices.notify(conversation, {
      type: 'slow_reply',
      conversationId: conversation.id,
      waitedSeconds: Math.floor((this.clock.now().getTime() - first.createdAt.getTime()) / 1000),
    });
  }

  /** The customer's first message after the last answer, if any is still unanswered. */
  private async firstUnanswered(conversationId: string): Promise<{ id: string; createdAt: Date } | null> {
    const lastAnswer = await this.db.message.findFirst({ where: { conversationId, ...answerFilter }, orderBy: { seq: 'desc' }, select: { seq: true } });
    return this.db.message.findFirst({
      where: { conversationId, direction: 'in', kind: { not: 'event' }, ...(lastAnswer ? { seq: { gt: lastAnswer.seq } } : {}) },
      orderBy: { seq: 'asc' },
      select: { id: true, createdAt: true },
    });
  }
}
