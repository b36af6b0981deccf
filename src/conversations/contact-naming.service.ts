import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { IDENTITY_KINDS } from '../common/channel-types.js';
import type { IdentityKind } from '../common/channel-types.js';
import { DATABASE } from '../common/database/database.js';
import type { Db, Tx } from '../common/database/database.js';
import { JOB_QUEUE } from '../common/jobs/index.js';
import type { JobContext, JobQueue } from '../common/jobs/index.js';
import { RESUMABLE_WORK } from '../common/start/resumable-work.js';
import type { ResumableWork, ResumableWorkRegistry } from '../common/start/resumable-work.js';
import type { ChannelAccount, ChannelAddress } from '../channels/index.js';
import { ChannelRegistry, ChannelsService } from '../channels/index.js';
import { ContactsService } from '../contacts/index.js';

const NAME_CONTACT = 'conversations.name-contact';

/** A contact to be named by its provider; `jobId` makes asking twice harmless. */
export interface NamingRequest {
  channelId: string;
  contactId: string;
  kind: IdentityKind;
  address: string;
  jobId: string;
}

type NameContactJob = Omit<NamingRequest, 'jobId'>;

/**
 * A new contact learns its name from the provider's profile, in a job: only a provider that can be asked (LINE's
 * profiles); the others name them in the message or not at all. Cosmetic, but a `contact_namings` row costs one
 * insert and keeps a customer from staying "LINE user 1a2b" because a profile API was down while the job store was
 * lost: the row outlives the job and is taken up again from there.
 */
@Injectable()
export class ContactNamingJob implements OnModuleInit, ResumableWork {
  readonly name = 'contacts to name';

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(JOB_QUEUE) private readonly jobs: JobQueue,
    @Inject(RESUMABLE_WORK) private readonly resumable: ResumableWorkRegistry,
    private readonly registry: ChannelRegistry,
    private readonly channels: ChannelsService,
    private readonly contacts: ContactsService,
  ) {}

  onModuleInit(): void {
    this.resumable.register(this);
    this.jobs.register<NameContactJob>(NAME_CONTACT, (job, context) => this.nameContact(job, context), { concurrency: 2 });
  }

  /**
   * The contact behind an address. A new one learns its name from the provider's profile: with `naming`, once the
   * message that made it is stored (the request rides on its follow-up); without, at once. In `tx` when given.
   */
  async resolve(channel: ChannelAccount, address: ChannelAddress, naming?: NamingRequest[], tx?: Tx) {
    const contact = await this.contacts.resolveIdentity(channel.teamId, address, tx);
    const request = contact.created && !address.name ? this.request(channel, contact.id, address, `name-${contact.id}`) : null;
    if (request && naming) naming.push(request);
    else if (request) await this.queue(request);
    return contact;
  }

  /** The request for a contact at an address, or null where the provider cannot name anybody. */
  request(channel: ChannelAccount, contactId: string, address: ChannelAddress, jobId: string): NamingRequest | null {
    if (!this.registry.get(channel.provider).displayName) return null;
    return { channelId: channel.id, contactId, kind: address.kind, address: address.address, jobId };
  }

  /** The row first (asked twice, kept once), then the job: a lost job leaves the row to take up again. */
  async queue(request: NamingRequest): Promise<void> {
    const { jobId, ...job } = request;
    await this.db.contactNaming.createMany({ data: [{ id: jobId, ...job }], skipDuplicates: true });
    await this.enqueue(jobId, job);
  }

  async resume(): Promise<number> {
    const rows = await this.db.contactNaming.findMany({ orderBy: { createdAt: 'asc' } });
    for (const { id, channelId, contactId, kind: stored, address } of rows) {
      const kind = IDENTITY_KINDS.find((known) => known === stored);
      if (kind) await this.enqueue(id, { channelId, contactId, kind, address });
    }
    return rows.length;
  }

  private async enqueue(jobId: string, job: NameContactJob): Promise<void> {
    await this.jobs.add<NameContactJob>(NAME_CONTACT, job, { jobId, attempts: 5, backoffMs: 5_000 });
  }

  /** Fetched once, when the contact is made; an agent's rename is never overwritten. */
  private async nameContact(job: NameContactJob, context: JobContext): Promise<void> {
    await this.nameFromProvider(job);
    // Named, or the provider has no name for them (or the channel is gone): nothing to ask again. A throw above (the
    // profile API down) keeps the row.
    await this.db.contactNaming.deleteMany({ where: { id: context.id } });
  }

  private async nameFromProvider(job: NameContactJob): Promise<void> {
    const channel = await this.channels.account(job.channelId);
    if (!channel) return;
    const name = await this.registry.get(channel.provider).displayName?.(channel, { kind: job.kind, address: job.address });
    if (!name) return;
    await this.contacts.nameFromProvider(job.contactId, job.kind, job.address, name);
    // A group the bot is in: the channel's group list shows the same name.
    if (job.kind === 'line_group') await this.channels.nameGroup(channel.id, job.address, name);
  }
}
