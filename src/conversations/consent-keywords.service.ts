import { Injectable } from '@nestjs/common';
import type { ChannelAccount } from '../channels/index.js';
import { ChannelRegistry } from '../channels/index.js';
import { TeamsService, readTeamSettings } from '../teams/index.js';
import { ConsentService, InvitationService, consentKeyword } from '../contacts/index.js';
import type { ConsentChannel } from '../contacts/index.js';
import { OutboxService, optedOutReason } from './outbox.service.js';
import { ConversationsService } from './conversations.service.js';

interface ConsentSettings {
  teamName: string;
  keywords: Parameters<typeof consentKeyword>[1];
  replies: { help: string; optOut: string | null; optIn: string | null };
}

/** A stored message that may be a keyword: what the handler needs of it, whether it runs now or after a restart. */
export interface KeywordMessage {
  messageId: string;
  conversationId: string;
  contactId: string;
  body: string;
  eventKey: string;
  occurredAt: Date;
  /** The provider judged it a keyword itself (Twilio's Advanced Opt-Out). */
  providerVerdict?: boolean;
}

/** The team's answers to keywords (settings.consentReplies); null switches one off. */
const DEFAULT_CONSENT_REPLIES: ConsentSettings['replies'] = {
  help: '{team.name}です。配信停止は「STOP」、再開は「START」とご返信ください。',
  optOut: '{team.name}からの配信を停止しました。再開するには「START」とご返信ください。',
  optIn: '{team.name}からの配信を再開しました。停止するには「STOP」とご返信ください。',
};

const fill = (template: string, teamName: string) => template.replaceAll('{team.name}', teamName);

/**
 * STOP, START and their kin by SMS or WhatsApp. The key is the message's own plus `:consent`, the same key the
 * Twilio normalizer gives Advanced Opt-Out's verdict, so whichever comes first is the one recorded, and a keyword
 * handled again after a restart records nothing new and confirms nothing twice.
 */
@Injectable()
export class ConsentKeywordHandler {
  constructor(
    private readonly teams: TeamsService,
    private readonly registry: ChannelRegistry,
    private readonly consent: ConsentService,
    private readonly invitations: InvitationService,
    private readonly outbox: OutboxService,
    private readonly replies: ConversationsService,
  ) {}

  /** Whether the text is one of the team's keywords: asked before the message is stored, so only those carry the work. */
  async isKeyword(teamId: string, body: string): Promise<boolean> {
    return consentKeyword(body, (await this.teamSettings(teamId)).keywords) !== null;
  }

  async handle(channel: ChannelAccount, message: KeywordMessage): Promise<void> {
    const settings = await this.teamSettings(channel.teamId);
    const match = consentKeyword(message.body, settings.keywords);
    if (!match) return;
    if (match.kind === 'help') {
      await this.replies.systemReply(message.conversationId, fill(settings.replies.help, settings.teamName), 'confirmation');
      return;
    }
    // A YES that answers an invitation names it as the evidence, and closes it.
    const invitationId = match.kind === 'opt_in' ? await this.invitations.pending(message.contactId, channel.type as ConsentChannel) : null;
    const { stored, changed } = await this.consent.record({
      teamId: channel.teamId,
      contactId: message.contactId,
      channelId: channel.id,
      channelType: channel.type,
      eventKey: `${message.eventKey}:consent`,
      kind: match.kind,
      detail: { source: 'keyword', keyword: match.keyword, messageId: message.messageId, ...(invitationId ? { invitationId } : {}) },
      occurredAt: message.occurredAt,
    });
    if (stored && invitationId) await this.invitations.markConfirmed(invitationId);
    // At most one confirmation: a provider that answers keywords itself (see answersConsentKeyword) is not doubled.
    const providerAnswered = this.registry.get(channel.provider).answersConsentKeyword?.(channel, message, match.keyword) ?? false;
    const reply = match.kind === 'opt_out' ? settings.replies.optOut : settings.replies.optIn;
    if (changed && reply && !providerAnswered) await this.replies.systemReply(message.conversationId, fill(reply, settings.teamName), 'confirmation');
    if (stored && match.kind === 'opt_out') await this.outbox.cancelQueued(message.contactId, channel.type, optedOutReason(channel.type));
  }

  /** Read on every SMS: the team's profile is cached (see TeamsService.profile). */
  private async teamSettings(teamId: string): Promise<ConsentSettings> {
    const profile = await this.teams.profile(teamId);
    const settings = profile?.settings ?? readTeamSettings(undefined);
    return {
      teamName: profile?.name ?? '',
      keywords: settings.consentKeywords,
      replies: { ...DEFAULT_CONSENT_REPLIES, ...settings.consentReplies },
    };
  }
}
