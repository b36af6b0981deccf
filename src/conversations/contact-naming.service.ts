import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { IdentityKind } from '../common/channel-types.js';
import type { Tx } from '../common/database/database.js';
import { JOB_QUEUE } from '../common/jobs/index.js';
import type { JobQueue } from '../common/jobs/index.js';
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
 * profiles); the others name them in the message or not at all.
 */
@Injectable()
export class ContactNamingJob implements OnModuleInit {
  constructor(
    @Inject(JOB_QUEUE) private readonly jobs: JobQueue,
    private readonly registry: ChannelRegistry,
    private readonly channels: ChannelsService,
    private readonly contacts: ContactsService,
  ) {}

  onModuleInit(): void {
    this.jobs.register<NameContactJob>(NAME_CONTACT, (job) => this.name(job), { concurrency: 2 });
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

  async queue(request: NamingRequest): Promise<void> {
    const { jobId, ...job } = request;
    await this.jobs.add<NameContactJob>(NAME_CONTACT, job, { jobId, attempts: 5, backoffMs: 5_000 });
  }

  /** Fetched once, when the contact is made; an agent's rename is never overwritten. */
  private async name(job: NameContactJob): Promise<void> {
    const channel = await this.channels.account(job.channelId);
    if (!channel) return;
    const name = await this.registry.get(channel.provider).displayName?.(channel, { kind: job.kind, address: job.address });
    if (!name) return;
    await this.contacts.nameFromProvider(job.contactId, job.kind, job.address, name);
    // The contact may be a group the bot is in: the channel's group list shows the same name (a customer's matches no group).
    await this.channels.nameGroup(channel.id, job.address, name);
  }
}
