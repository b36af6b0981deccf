import { Inject, Injectable } from '@nestjs/common';
import { CHANNEL_IDENTITY } from '../common/channel-types.js';
import { DATABASE } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { DomainError, notFound } from '../common/errors/domain-error.js';
import { ConsentService } from './consent.service.js';
import type { ConsentChannel } from './consent.service.js';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';


export interface NewInvitation {
  id: string;
  contactName: string;
  address: string;
}

/**
 * Asking a customer to agree to messages by SMS, WhatsApp or email; they confirm by answering YES (by email too: a
 * reply that says YES, its quoted history trimmed). Only the associate whose list holds the contact invites them, and only
 * at an address the contact has; the ledger notes the invitation (pending) and, later, the confirmation.
 */
@Injectable()
export class InvitationService {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    private readonly consent: ConsentService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async create(member: { id: string; teamId: string }, contactId: string, target: { channelType: ConsentChannel; channelId: string }): Promise<NewInvitation> {
    const contact = await this.db.contact.findFirst({ where: { id: contactId, teamId: member.teamId }, include: { identities: true } });
    if (!contact) throw notFound('The contact');
    if (contact.ownerId !== member.id) throw new DomainError('forbidden', 'not_your_contact', 'Only the member whose list holds this contact can invite them.');
    if (contact.blocked) throw new DomainError('forbidden', 'contact_blocked', 'This contact is blocked.');
    const identity = contact.identities.find((i) => i.kind === CHANNEL_IDENTITY[target.channelType]);
    if (!identity) throw new DomainError('unprocessable', 'no_address', `This contact has no ${CHANNEL_IDENTITY[target.channelType]} address to invite on.`);
    const state = (await this.consent.states(member.teamId, contactId))[target.channelType];
    if (state === 'opted_out') throw new DomainError('conflict', 'opted_out', 'The customer opted out on this channel; only they can opt in again (START).');
    if (state === 'opted_in') throw new DomainError('conflict', 'already_opted_in', 'The customer has already agreed to messages on this channel.');
    const invitation = await this.db.invitation.create({
      data: { teamId: member.teamId, contactId, channelId: target.channelId, channelType: target.channelType, invitedBy: member.id },
    });
    await this.consent.record({
      teamId: member.teamId,
      contactId,
      channelId: target.channelId,
      channelType: target.channelType,
      eventKey: `invitation:${invitation.id}`,
      kind: 'invited',
      detail: { source: 'invitation', invitationId: invitation.id, invitedBy: member.id },
      occurredAt: invitation.createdAt,
    });
    return { id: invitation.id, contactName: contact.name, address: identity.address };
  }

  /** The pending invitation an opt-in answers (a YES by SMS), so the ledger can name it as evidence. */
  async pending(contactId: string, channelType: ConsentChannel): Promise<string | null> {
    const row = await this.db.invitation.findFirst({ where: { contactId, channelType, status: 'pending' }, orderBy: { createdAt: 'desc' } });
    return row?.id ?? null;
  }

  async markConfirmed(invitationId: string): Promise<void> {
    await this.db.invitation.updateMany({ where: { id: invitationId, status: 'pending' }, data: { status: 'confirmed', confirmedAt: this.clock.now() } });
  }
}
