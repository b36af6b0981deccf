import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { HUB_CONFIG } from '../common/config/config.js';
import type { HubConfig } from '../common/config/config.js';
import { DATABASE, Prisma } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { trackBackgroundWork } from '../common/events/domain-events.js';
import { logger } from '../common/logging/logger.js';
import { RESUMABLE_WORK } from '../common/start/resumable-work.js';
import type { ResumableWork, ResumableWorkRegistry } from '../common/start/resumable-work.js';
import { ChannelsService } from '../channels/index.js';
import { ConsentKeywordHandler } from './consent-keywords.service.js';
import { ContactNamingJob } from './contact-naming.service.js';
import type { NamingRequest } from './contact-naming.service.js';
import { MediaService } from './media.service.js';

/** What is still to do after an inbound message was stored; each step is safe to run twice. */
export interface FollowUpWork {
  /** The message opened its conversation: it is to be offered. */
  started?: true;
  /** It came into a conversation still waiting, whose customer was told the team is away: they may be told again. */
  waiting?: true;
  /** Its text is one of the team's consent keywords. */
  consent?: { providerVerdict?: boolean };
  /** Contacts it made, for the provider to name. */
  naming?: NamingRequest[];
  /** Attachments the provider holds, to fetch. */
  media?: true;
}

/** A conversation other modules act on after its message (routing offers it, tells a waiting customer). */
export interface FollowUpTarget {
  teamId: string;
  conversationId: string;
}

type OtherModulesStep = 'started' | 'waiting';

/** The stored message a follow-up is about, as the ingest has it after its commit or a restart reads it back. */
interface StoredMessage {
  messageId: string;
  teamId: string;
  channelId: string;
  conversationId: string;
  authorId: string | null;
  body: string;
  eventKey: string | null;
  occurredAt: Date;
}

const RESUME_BATCH = 200;

/**
 * The work that follows a new inbound message, made durable: its marker (the message's `follow_up`) is written with
 * the message, the work runs right after the commit, and the marker is cleared once every step is done. A process
 * that dies in between leaves it, and the next start takes it up again (ResumableWork). So every step
 * must be idempotent: routing offers a conversation once (its claim shares the offers' transaction), a keyword is
 * recorded on `<eventKey>:consent`, naming and media jobs carry the contact's and the message's id.
 */
@Injectable()
export class MessageFollowUps implements OnModuleInit, ResumableWork {
  readonly name = 'message follow-ups';
  // Its steps run in the process that stored the message, not in jobs: a Redis that lost its jobs lost none of them.
  readonly heldBy = 'process';
  private readonly handlers: Record<OtherModulesStep, ((target: FollowUpTarget) => Promise<void>)[]> = { started: [], waiting: [] };
  private readonly hold: HubConfig['testHoldFollowUps'];

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(RESUMABLE_WORK) private readonly resumable: ResumableWorkRegistry,
    @Inject(HUB_CONFIG) config: HubConfig,
    private readonly channels: ChannelsService,
    private readonly keywords: ConsentKeywordHandler,
    private readonly naming: ContactNamingJob,
    private readonly media: MediaService,
  ) {
    this.hold = config.testHoldFollowUps;
  }

  onModuleInit(): void {
    this.resumable.register(this);
  }

  /**
   * A module's step after a message (routing's offers); it must be safe to run twice for the same conversation.
   * `first`: before the step's other handlers, whatever order the modules started in (automation rules assign a new
   * chat before routing offers it).
   */
  on(step: OtherModulesStep, handler: (target: FollowUpTarget) => Promise<void>, options: { first?: boolean } = {}): void {
    if (options.first) this.handlers[step].unshift(handler);
    else this.handlers[step].push(handler);
  }

  /** The marker to write with the message (its `follow_up`); nothing to do writes none. */
  marker(work: FollowUpWork): Prisma.InputJsonObject | undefined {
    return hasWork(work) ? (work as Prisma.InputJsonObject) : undefined;
  }

  /**
   * After the commit: this module's own steps (keyword, media, naming) before the webhook is answered, as before;
   * the other modules' steps (routing) after, in the background. The marker is cleared when all of them are done.
   */
  async afterCommit(message: StoredMessage, work: FollowUpWork): Promise<void> {
    if (!hasWork(work) || this.hold === 'before') return;
    const own = await this.ownSteps(message, work);
    const others = this.otherSteps(message, work);
    // Tracked like a listener: a stopping hub waits for it before it closes the job queue its steps add to.
    trackBackgroundWork(
      others.then((done) => (done && own ? this.finish(message.messageId) : undefined)).catch((error: unknown) => logger.error({ err: error, messageId: message.messageId }, 'follow-up marker not cleared; taken up again at the next start')),
    );
  }

  /** At start: every marker a stopped process left, in the order the messages came, run to the end. */
  async resume(): Promise<number> {
    let count = 0;
    let after: string | undefined;
    for (;;) {
      // Read through the partial index of pending markers, not the messages table.
      const rows = await this.db.message.findMany({
        where: { followUp: { not: Prisma.DbNull }, ...(after ? { id: { gt: after } } : {}) },
        orderBy: { id: 'asc' },
        take: RESUME_BATCH,
        select: { id: true, teamId: true, channelId: true, conversationId: true, authorId: true, body: true, eventKey: true, createdAt: true, followUp: true },
      });
      for (const { id, followUp, ...message } of rows) {
        const stored: StoredMessage = { messageId: id, ...message, occurredAt: message.createdAt };
        const work = followUp as FollowUpWork;
        const own = await this.ownSteps(stored, work);
        if ((await this.otherSteps(stored, work)) && own) await this.finish(id);
        count++;
      }
      if (rows.length < RESUME_BATCH) return count;
      after = rows[rows.length - 1].id;
    }
  }

  private async ownSteps(message: StoredMessage, work: FollowUpWork): Promise<boolean> {
    let done = true;
    if (work.media) done = (await this.step(message, 'media', () => this.media.queueFetch(message.messageId))) && done;
    for (const request of work.naming ?? []) done = (await this.step(message, 'naming', () => this.naming.queue(request))) && done;
    if (work.consent && message.authorId && message.eventKey) {
      const { authorId: contactId, eventKey } = message;
      const { providerVerdict } = work.consent;
      done =
        (await this.step(message, 'consent', async () => {
          const channel = await this.channels.account(message.channelId);
          if (!channel) return;
          await this.keywords.handle(channel, { ...message, contactId, eventKey, ...(providerVerdict ? { providerVerdict } : {}) });
        })) && done;
    }
    return done;
  }

  private async otherSteps(message: StoredMessage, work: FollowUpWork): Promise<boolean> {
    let done = true;
    const target = { teamId: message.teamId, conversationId: message.conversationId };
    for (const step of ['started', 'waiting'] as const) {
      if (!work[step]) continue;
      for (const handler of this.handlers[step]) done = (await this.step(message, step, () => handler(target))) && done;
    }
    return done;
  }

  /** One step; a failure leaves the marker for the next start and does not keep the other steps from running. */
  private async step(message: StoredMessage, step: string, run: () => Promise<void>): Promise<boolean> {
    try {
      await run();
      return true;
    } catch (error) {
      logger.error({ err: error, messageId: message.messageId, step }, 'follow-up step failed; taken up again at the next start');
      return false;
    }
  }

  private async finish(messageId: string): Promise<void> {
    if (this.hold === 'after') return;
    await this.db.message.updateMany({ where: { id: messageId }, data: { followUp: Prisma.DbNull } });
  }
}

function hasWork(work: FollowUpWork): boolean {
  return Boolean(work.started || work.waiting || work.consent || work.media || work.naming?.length);
}
