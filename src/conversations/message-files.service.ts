import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { HUB_CONFIG } from '../common/config/config.js';
import type { HubConfig } from '../common/config/config.js';
import { DATABASE } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { DomainError, notFound } from '../common/errors/domain-error.js';
import { FILE_CLASSES, FILE_KINDS, FILE_LINKS, FileLinks, prepareFile, readUpload } from '../common/files/index.js';
import type { FileKind, LinkedFile, PreparedFile } from '../common/files/index.js';
import { JOB_QUEUE } from '../common/jobs/index.js';
import type { JobQueue } from '../common/jobs/index.js';
import { RESUMABLE_WORK } from '../common/start/resumable-work.js';
import type { ResumableWork, ResumableWorkRegistry } from '../common/start/resumable-work.js';
import { STORAGE } from '../common/storage/storage.js';
import type { Storage } from '../common/storage/storage.js';
import type { Attachment } from '../channels/index.js';
import type { AuthMember } from '../teams/index.js';
import { TeamsService } from '../teams/index.js';
import { capabilitiesOf, ChannelRegistry } from '../channels/index.js';
import type { ChannelProvider, ChannelType } from '../channels/index.js';
import { filesVerdict } from './file-policy.js';
import type { OutgoingFile } from './file-policy.js';

/** What the hub keeps beside an uploaded file until a reply takes it. */
const uploadRecord = z.object({
  conversationId: z.string(),
  memberId: z.string(),
  name: z.string(),
  contentType: z.string(),
  kind: z.enum(FILE_KINDS),
  size: z.number(),
  thumbnail: z.boolean(),
  durationMs: z.number().optional(),
});
type UploadRecord = z.infer<typeof uploadRecord>;

/** An uploaded file as its route answers: the id a reply names in `attachments`. */
export interface UploadView {
  id: string;
  name: string;
  contentType: string;
  kind: FileKind;
  size: number;
}

/** Files taken by a reply: what the policy weighs, and how to store them under the message once it has an id. */
export interface TakenFiles {
  files: OutgoingFile[];
  /** Copies the files under the message (its attachments on the row) and lets the uploads go. */
  store(messageId: string): Promise<Attachment[]>;
}

/**
 * How long a link handed to a provider or a customer works. Twilio and WhatsApp fetch at once; a LINE user opens a
 * photo or the PDF link from their chat history days later, so the link lives about as long as a chat stays current.
 */
const LINK_TTL_MS = 30 * 24 * 3600_000;
/** An upload nobody sent: it may be named by a reply for this long, and is removed a minute after. */
const UPLOAD_TTL_MS = 24 * 3600_000;
const EXPIRE_UPLOAD = 'files.expire-upload';
interface ExpireUploadJob {
  teamId: string;
  uploadId: string;
}

/**
 * Files that agents send and the links that carry any message's files out of the hub. An agent's file is uploaded on
 * its own (`POST /api/conversations/:id/uploads`), checked (the bytes' type, the team's size cap, the channel's kinds)
 * and kept under `<team>/uploads/<id>` by the storage port; the reply that names it moves it under its message.
 */
@Injectable()
export class MessageFilesService implements OnModuleInit, ResumableWork {
  readonly name = 'unsent uploads to remove';

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(STORAGE) private readonly storage: Storage,
    @Inject(FILE_LINKS) private readonly links: FileLinks,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly teams: TeamsService,
    private readonly registry: ChannelRegistry,
    @Inject(JOB_QUEUE) private readonly jobs: JobQueue,
    @Inject(RESUMABLE_WORK) private readonly resumable: ResumableWorkRegistry,
  ) {}

  onModuleInit(): void {
    this.resumable.register(this);
    this.jobs.register<ExpireUploadJob>(EXPIRE_UPLOAD, (job) => this.expireUpload(job.teamId, job.uploadId), { concurrency: 1 });
  }

  /**
   * Every upload still waiting for a reply, its removal scheduled again (the in-process runner loses its timers with
   * the process): what an agent attached and never sent does not stay on the disk.
   */
  async resume(): Promise<number> {
    let count = 0;
    for (const team of await this.db.team.findMany({ select: { id: true } })) {
      for (const key of await this.storage.list(`${team.id}/uploads`)) {
        const id = /\/uploads\/([0-9a-f-]{36})\.json$/.exec(key)?.[1];
        if (!id) continue;
        const at = await this.recordOf(team.id, id).then((record) => (record ? Date.parse(record.at) : 0));
        await this.scheduleExpiry(team.id, id, at);
        count++;
      }
    }
    return count;
  }

  /** `POST /api/conversations/:id/uploads`: one file, refused at once when the team or the channel would not take it. */
  async upload(member: AuthMember, conversationId: string, rawBody: Buffer | undefined, contentType: string | undefined): Promise<UploadView> {
    const conversation = await this.db.conversation.findFirst({ where: { id: conversationId, teamId: member.teamId }, select: { channel: { select: { type: true, provider: true } } } });
    if (!conversation) throw notFound('The conversation');
    const { maxBytes } = await this.limits(member.teamId);
    const upload = await readUpload(rawBody, contentType, maxBytes);
    const file = await prepareFile(upload.data, upload.name, FILE_CLASSES);
    // Refused now rather than at the reply: the agent learns at once that this channel cannot take this file.
    const type = conversation.channel.type as ChannelType;
    const verdict = filesVerdict(type, capabilitiesOf(this.registry.get(conversation.channel.provider as ChannelProvider), type), [file]);
    if (!verdict.ok) throw new DomainError(verdict.kind, verdict.code, verdict.reason, verdict.details);
    const id = randomUUID();
    const record: UploadRecord = {
      conversationId,
      memberId: member.id,
      name: file.name,
      contentType: file.contentType,
      kind: file.kind,
      size: file.size,
      thumbnail: file.thumbnail !== null,
      ...(file.durationMs !== undefined ? { durationMs: file.durationMs } : {}),
    };
    await this.keep(uploadKey(member.teamId, id), file);
    // The record last: an upload is usable only once its bytes are all there.
    const at = this.clock.now();
    await this.storage.put(`${uploadKey(member.teamId, id)}.json`, Buffer.from(JSON.stringify({ ...record, at: at.toISOString() })));
    await this.scheduleExpiry(member.teamId, id, at.getTime());
    return { id, name: file.name, contentType: file.contentType, kind: file.kind, size: file.size };
  }

  /**
   * The uploads a reply names, each the same member's, for the same conversation, not yet sent: anything else is
   * `upload_not_found` (another team's id is simply not under this team's key).
   */
  async take(member: AuthMember, conversationId: string, uploadIds: readonly string[]): Promise<TakenFiles> {
    const records: Array<UploadRecord & { id: string }> = [];
    for (const id of uploadIds) {
      const record = /^[0-9a-f-]{36}$/.test(id) ? await this.recordOf(member.teamId, id) : null;
      const fresh = record && this.clock.now().getTime() - Date.parse(record.at) < UPLOAD_TTL_MS;
      if (!record || !fresh || record.conversationId !== conversationId || record.memberId !== member.id) {
        throw new DomainError('not_found', 'upload_not_found', 'An attached file was not found: it was sent already, expired, or belongs to another conversation. Attach it again.', { uploadId: id });
      }
      records.push({ ...record, id });
    }
    return {
      files: records.map((r) => ({ kind: r.kind, size: r.size, name: r.name })),
      store: async (messageId) => {
        const attachments: Attachment[] = [];
        for (const [index, record] of records.entries()) {
          const from = uploadKey(member.teamId, record.id);
          const to = fileKey(member.teamId, messageId, index);
          await this.storage.put(to, (await this.storage.get(from))!);
          if (record.thumbnail) await this.storage.put(`${to}.thumbnail`, (await this.storage.get(`${from}.thumbnail`))!);
          const url = `/api/messages/${messageId}/attachments/${index}`;
          attachments.push({
            url,
            contentType: record.contentType,
            name: record.name,
            size: record.size,
            kind: record.kind,
            ...(record.thumbnail ? { thumbnailUrl: `${url}?variant=thumbnail` } : {}),
            ...(record.durationMs !== undefined ? { durationMs: record.durationMs } : {}),
          });
        }
        for (const record of records) await this.storage.remove(uploadKey(member.teamId, record.id)).then(() => this.removeAside(member.teamId, record.id));
        return attachments;
      },
    };
  }

  /** What a trainee's draft carries, for the policy when it is approved. */
  filesOf(attachments: unknown): OutgoingFile[] {
    return rowAttachments(attachments).flatMap((a) => (a.kind ? [{ kind: a.kind, size: a.size ?? 0, name: a.name ?? 'file' }] : []));
  }

  /**
   * A message's files on their way to a provider: signed links the provider (or the customer) can fetch, and the
   * bytes for a channel that uploads them itself.
   */
  async outbound(teamId: string, messageId: string, attachments: unknown): Promise<Attachment[]> {
    const out: Attachment[] = [];
    for (const [index, attachment] of rowAttachments(attachments).entries()) {
      const data = await this.storage.get(fileKey(teamId, messageId, index));
      if (!data) continue;
      out.push({
        ...attachment,
        url: this.link({ messageId, index, variant: 'file' }),
        ...(attachment.thumbnailUrl ? { thumbnailUrl: this.link({ messageId, index, variant: 'thumbnail' }) } : {}),
        data,
      });
    }
    return out;
  }

  /** A message's files as the widget shows them: signed links, since the visitor has no sign-in of the hub's. */
  visitorAttachments(messageId: string, attachments: unknown): Array<{ url: string; thumbnailUrl: string | null; name: string; contentType: string; kind: FileKind }> {
    return rowAttachments(attachments).flatMap((a, index) =>
      a.url && a.contentType
        ? [
            {
              url: this.link({ messageId, index, variant: 'file' }),
              thumbnailUrl: a.thumbnailUrl ? this.link({ messageId, index, variant: 'thumbnail' }) : null,
              name: a.name ?? `file-${index + 1}`,
              contentType: a.contentType,
              kind: a.kind ?? kindOfType(a.contentType),
            },
          ]
        : [],
    );
  }

  /** `GET /files/:messageId/:index`: the bytes a signed link names, once the link is checked. */
  async readLinked(file: LinkedFile, expires: number, signature: string): Promise<{ data: Buffer; contentType: string; name: string }> {
    this.links.verify(file, expires, signature, this.clock.now());
    const message = await this.db.message.findUnique({ where: { id: file.messageId }, select: { teamId: true, attachments: true, unsentAt: true } });
    const attachment = message && !message.unsentAt ? rowAttachments(message.attachments)[file.index] : undefined;
    const key = message ? fileKey(message.teamId, file.messageId, file.index) : null;
    const data = attachment?.url && key ? await this.storage.get(file.variant === 'thumbnail' ? `${key}.thumbnail` : key) : null;
    if (!attachment || !data) throw notFound('The file');
    return { data, contentType: file.variant === 'thumbnail' ? 'image/jpeg' : (attachment.contentType ?? 'application/octet-stream'), name: attachment.name ?? `file-${file.index + 1}` };
  }

  /** The team's cap and the kinds its web visitors may send. */
  async limits(teamId: string) {
    const profile = await this.teams.profile(teamId);
    if (!profile) throw notFound('The team');
    return profile.settings.uploads;
  }

  private link(file: LinkedFile): string {
    return `${this.config.publicUrl}${this.links.path(file, new Date(this.clock.now().getTime() + LINK_TTL_MS))}`;
  }

  private async keep(key: string, file: PreparedFile): Promise<void> {
    await this.storage.put(key, file.data);
    if (file.thumbnail) await this.storage.put(`${key}.thumbnail`, file.thumbnail);
  }

  private async recordOf(teamId: string, id: string): Promise<(UploadRecord & { at: string }) | null> {
    const raw = await this.storage.get(`${uploadKey(teamId, id)}.json`);
    const parsed = raw ? uploadRecord.extend({ at: z.string() }).safeParse(JSON.parse(raw.toString('utf8'))) : null;
    return parsed?.success ? parsed.data : null;
  }

  private scheduleExpiry(teamId: string, uploadId: string, uploadedAt: number): Promise<void> {
    const delayMs = Math.max(0, uploadedAt + UPLOAD_TTL_MS + 60_000 - this.clock.now().getTime());
    return this.jobs.add<ExpireUploadJob>(EXPIRE_UPLOAD, { teamId, uploadId }, { jobId: uploadId, delayMs, attempts: 5 });
  }

  /** An upload no reply took in its day: its file, thumbnail and record go (a sent one was moved already). */
  private async expireUpload(teamId: string, uploadId: string): Promise<void> {
    const record = await this.recordOf(teamId, uploadId);
    // Still usable (a clock set back): left for the next start's resume to schedule again.
    if (record && this.clock.now().getTime() - Date.parse(record.at) < UPLOAD_TTL_MS) return;
    await this.storage.remove(uploadKey(teamId, uploadId));
    await this.removeAside(teamId, uploadId);
  }

  private async removeAside(teamId: string, id: string): Promise<void> {
    await this.storage.remove(`${uploadKey(teamId, id)}.thumbnail`);
    await this.storage.remove(`${uploadKey(teamId, id)}.json`);
  }
}

const uploadKey = (teamId: string, id: string) => `${teamId}/uploads/${id}`;
const fileKey = (teamId: string, messageId: string, index: number) => `${teamId}/${messageId}/${index}`;

function rowAttachments(value: unknown): Attachment[] {
  return (Array.isArray(value) ? value : []) as Attachment[];
}

function kindOfType(contentType: string): FileKind {
  const top = contentType.split('/')[0];
  return top === 'image' || top === 'video' || top === 'audio' ? top : 'document';
}
