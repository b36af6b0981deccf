import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DATABASE, Prisma } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { notFound } from '../common/errors/domain-error.js';
import { outboundRefusal } from '../common/outbound/index.js';
import { JOB_QUEUE } from '../common/jobs/index.js';
import { logger } from '../common/logging/logger.js';
import type { JobQueue } from '../common/jobs/index.js';
import { RESUMABLE_WORK } from '../common/start/resumable-work.js';
import type { ResumableWork, ResumableWorkRegistry } from '../common/start/resumable-work.js';
import { STORAGE } from '../common/storage/storage.js';
import type { Storage } from '../common/storage/storage.js';
import type { Attachment } from '../channels/index.js';
import { ChannelRegistry, ChannelsService } from '../channels/index.js';
import type { AuthMember } from '../teams/index.js';
import { ConversationEvents } from './conversation.events.js';
import { toMessageView } from './conversation.views.js';

const FETCH_MEDIA = 'conversations.fetch-media';

interface FetchMediaJob {
  messageId: string;
}

/**
 * Content a provider holds for us (LINE images, files) is fetched once, in a job, and kept: the webhook answers
 * at once, a slow or failing content API only delays the picture, and LINE deletes content after a while. A
 * `media_fetches` row says the message still has some to fetch; it outlives the job (a stop of the in-process queue,
 * a Redis that came back empty, retries run out) and is taken up again from there.
 */
@Injectable()
export class MediaService implements OnModuleInit, ResumableWork {
  readonly name = 'media to fetch';

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(JOB_QUEUE) private readonly jobs: JobQueue,
    @Inject(RESUMABLE_WORK) private readonly resumable: ResumableWorkRegistry,
    @Inject(STORAGE) private readonly storage: Storage,
    private readonly channels: ChannelsService,
    private readonly registry: ChannelRegistry,
    private readonly events: ConversationEvents,
  ) {}

  onModuleInit(): void {
    this.resumable.register(this);
    this.jobs.register<FetchMediaJob>(FETCH_MEDIA, (job) => this.fetch(job), { concurrency: 2 });
  }

  /** The row first (written twice, kept once), then the job: a lost job leaves the row to take up again. */
  async queueFetch(messageId: string): Promise<void> {
    await this.db.mediaFetch.createMany({ data: [{ messageId }], skipDuplicates: true });
    await this.enqueue(messageId);
  }

  async resume(): Promise<number> {
    const rows = await this.db.mediaFetch.findMany({ select: { messageId: true }, orderBy: { createdAt: 'asc' } });
    for (const row of rows) await this.enqueue(row.messageId);
    return rows.length;
  }

  private async enqueue(messageId: string): Promise<void> {
    await this.jobs.add<FetchMediaJob>(FETCH_MEDIA, { messageId }, { jobId: `media-${messageId}`, attempts: 8, backoffMs: 5_000 });
  }

  private async fetch({ messageId }: FetchMediaJob): Promise<void> {
    await this.fetchAttachments(messageId);
    // Every attachment is stored or failed for good, or there is nothing left to fetch them for. A throw above (a
    // provider down) keeps the row.
    await this.db.mediaFetch.deleteMany({ where: { messageId } });
  }

  private async fetchAttachments(messageId: string): Promise<void> {
    const message = await this.db.message.findUnique({ where: { id: messageId } });
    if (!message || message.unsentAt) return;
    const channel = await this.channels.account(message.channelId);
    const adapter = channel ? this.registry.get(channel.provider) : null;
    if (!channel || !adapter?.fetchContent) return;
    const attachments = (Array.isArray(message.attachments) ? message.attachments : []) as Attachment[];
    let changed = false;
    for (const [index, attachment] of attachments.entries()) {
      if (attachment.url || attachment.failed || !attachment.providerContentId) continue;
      let content: { data: Buffer; contentType: string };
      try {
        content = await adapter.fetchContent(channel, attachment.providerContentId);
      } catch (error) {
        // A refusal of the guard (a private address, over the size cap) fails the same way every time: the
        // attachment says so and the message stays. Any other error throws: the job retries with backoff.
        const refused = outboundRefusal(error);
        if (!refused) throw error;
        logger.warn({ messageId: message.id, code: refused.code }, 'attachment not fetched');
        attachments[index] = { ...attachment, failed: { code: refused.code, reason: refused.message } };
        changed = true;
        continue;
      }
      await this.storage.put(storageKey(message.teamId, message.id, index), content.data);
      attachments[index] = { ...attachment, url: `/api/messages/${message.id}/attachments/${index}`, contentType: content.contentType, size: content.data.length };
      changed = true;
    }
    if (!changed) return;
    const updated = await this.db.message.update({ where: { id: message.id }, data: { attachments: attachments as unknown as Prisma.InputJsonArray } });
    this.events.emit('message.updated', { teamId: message.teamId, message: toMessageView(updated) });
  }

  /** A stored attachment, for a member of the message's team only. */
  async read(member: AuthMember, messageId: string, index: number, variant: 'file' | 'thumbnail' = 'file'): Promise<{ data: Buffer; contentType: string; name?: string }> {
    const message = await this.db.message.findFirst({ where: { id: messageId, teamId: member.teamId } });
    const attachment = message && !message.unsentAt && Array.isArray(message.attachments) ? (message.attachments[index] as Attachment | undefined) : undefined;
    const key = storageKey(member.teamId, messageId, index);
    // Only the hub's own uploads have a thumbnail; a customer's photo is shown scaled down from the file itself.
    const thumbnail = variant === 'thumbnail' && attachment?.thumbnailUrl;
    const data = attachment?.url ? await this.storage.get(thumbnail ? `${key}.thumbnail` : key) : null;
    if (!attachment || !data) throw notFound('The attachment');
    return { data, contentType: thumbnail ? 'image/jpeg' : (attachment.contentType ?? 'application/octet-stream'), name: attachment.name };
  }
}

const storageKey = (teamId: string, messageId: string, index: number) => `${teamId}/${messageId}/${index}`;
