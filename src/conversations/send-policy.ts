import type { ErrorCode } from '../common/errors/error-codes.js';
import { Injectable } from '@nestjs/common';
import type { ErrorKind } from '../common/errors/domain-error.js';
import { DomainError } from '../common/errors/domain-error.js';
import { capabilitiesOf } from '../channels/index.js';
import type { ChannelCapabilities, ChannelProvider, ChannelType, RegisteredAdapter } from '../channels/index.js';
import { ChannelRegistry, ThreadKey } from '../channels/index.js';
import { ConsentService } from '../contacts/index.js';
import type { ConsentChannel, ConsentState } from '../contacts/index.js';
import { optedOutReason } from './outbox.service.js';
import { channelName, filesVerdict } from './file-policy.js';
import type { OutgoingFile } from './file-policy.js';
export type { OutgoingFile } from './file-policy.js';

/**
 * Why a message goes out; the consent rule differs by purpose.
 * - `reply`: an agent answers in a conversation; the customer must not have opted out.
 * - `proactive`: an agent writes first; the customer must have opted in.
 * - `invitation`: the one message that may go before an opt-in (never after an opt-out).
 * - `automatic`: the hub's own notice (an away reply); like a reply, never to someone who opted out.
 * - `confirmation`: the hub's answer to STOP, START or HELP; it must reach even someone who just opted out.
 */
export type SendPurpose = 'reply' | 'proactive' | 'invitation' | 'automatic' | 'confirmation';

/** What is about to go out. */
export interface SendRequest {
  purpose: SendPurpose;
  /** The text the customer would read; for a template, the provider sends the approved template instead. */
  body: string;
  /** An approved template (WhatsApp): allowed outside the reply window, and not measured against the text limit. */
  template: boolean;
  /** The files that go with it: what each is and how large. */
  files: readonly OutgoingFile[];
}


/** What the policy decides on: the channel, the conversation and the customer's consent, as they are now. */
export interface SendFacts {
  adapter: Pick<RegisteredAdapter, 'capabilities' | 'capabilitiesByType' | 'canSend'>;
  channel: { type: ChannelType; active: boolean };
  conversation: { status: string; awaitingClaimId: string | null; threadKey: string; lastCustomerMessageAt: Date | null };
  /** The contact's consent on this kind of channel; null where none is kept (web chat). */
  consent: ConsentState | null;
  now: Date;
}

export type SendVerdict =
  | { ok: true }
  | { ok: false; kind: ErrorKind; code: ErrorCode; reason: string; details?: Record<string, unknown> };

const OK: SendVerdict = { ok: true };

/** What the hub writes by itself, as opposed to what a member writes. */
const HUB_PURPOSES: ReadonlySet<SendPurpose> = new Set(['automatic', 'confirmation']);


/**
 * The longest text one reply may carry on a channel. A channel that takes several message objects per call
 * (LINE: five of 5,000 units each) has its sender split a longer text; every other channel refuses above its
 * own limit (Twilio's `Body` takes 1,600 characters and the carriers split that into SMS segments themselves).
 */
export function longestText(capabilities: ChannelCapabilities): number {
  return capabilities.maxTextLength * Math.max(1, capabilities.maxMessagesPerCall);
}

/**
 * The one consent rule (the contacts' ledger decides the state): an opted-out customer gets nothing but the
 * confirmation of their keyword; a conversation the agent starts needs an opt-in; anything else needs only that
 * they have not opted out.
 */
export function consentVerdict(channelType: ChannelType, consent: ConsentState | null, purpose: SendPurpose): SendVerdict {
  if (consent === null || purpose === 'confirmation') return OK;
  if (consent === 'opted_out') {
    return { ok: false, kind: 'conflict', code: channelType === 'line' ? 'not_following' : 'opted_out', reason: optedOutReason(channelType) };
  }
  if (purpose === 'proactive' && consent !== 'opted_in') {
    return {
      ok: false,
      kind: 'conflict',
      code: 'consent_required',
      reason:
        consent === 'pending'
          ? 'The customer has been invited but has not confirmed yet; you can write once they do.'
          : 'The customer has not agreed to messages on this channel yet: invite them first, or wait for them to write.',
    };
  }
  return OK;
}

/**
 * May this message go out now? The first rule that refuses answers, most final first: a refusal that a template
 * cannot lift (an ended conversation, a switched-off channel, an opt-out) comes before the reply window, which
 * only free text must respect; the length and the files come last, as what the agent can fix by editing.
 */
export function decideSend(facts: SendFacts, request: SendRequest): SendVerdict {
  const { channel, conversation } = facts;
  if (conversation.status === 'resolved') {
    return { ok: false, kind: 'conflict', code: 'conversation_resolved', reason: 'This conversation has ended; reopen it before replying.' };
  }
  if (!channel.active) {
    return { ok: false, kind: 'conflict', code: 'channel_inactive', reason: 'This conversation’s channel is switched off; an administrator can switch it on.' };
  }
  // The message form's conversation goes to an address the visitor only typed: nothing goes there until they enter
  // the code sent to it. An agent is told so; the hub's own answer is queued, and the outbox holds it until the proof.
  if (conversation.awaitingClaimId && !HUB_PURPOSES.has(request.purpose)) {
    return {
      ok: false,
      kind: 'conflict',
      code: 'address_unproven',
      reason: 'The visitor has not yet confirmed this address with the code sent to it; the reply can go once they do.',
    };
  }
  const consent = consentVerdict(channel.type, facts.consent, request.purpose);
  if (!consent.ok) return consent;
  const window = facts.adapter.canSend?.(
    { type: channel.type },
    {
      to: ThreadKey.parse(conversation.threadKey),
      lastCustomerMessageAt: conversation.lastCustomerMessageAt,
      now: facts.now,
      template: request.template,
      files: request.files.map((file) => file.kind),
    },
  );
  if (window && !window.ok) return { ok: false, kind: 'conflict', code: window.code, reason: window.reason };
  const capabilities = capabilitiesOf(facts.adapter, channel.type);
  const limit = longestText(capabilities);
  // Measured in UTF-16 units, as LINE counts and as the API's own limits do: an emoji counts two, never less
  // than the provider counts.
  if (!request.template && request.body.length > limit) {
    return {
      ok: false,
      kind: 'unprocessable',
      code: 'text_too_long',
      reason: `This message is ${request.body.length.toLocaleString('en-US')} characters; ${channelName(channel.type)} takes at most ${limit.toLocaleString('en-US')}. Shorten it, or send it in parts.`,
      details: { maxTextLength: limit, length: request.body.length },
    };
  }
  return request.files.length > 0 ? filesVerdict(channel.type, capabilities, request.files) : OK;
}

/** A refusal as the error the API answers with (the global filter maps the kind to the status). */
export function refusalOf(verdict: Extract<SendVerdict, { ok: false }>): DomainError {
  return new DomainError(verdict.kind, verdict.code, verdict.reason, verdict.details);
}

/** A conversation as the policy reads it: its state, its channel, and whose consent counts. */
export interface SendTarget {
  teamId: string;
  contactId: string;
  status: string;
  awaitingClaimId: string | null;
  threadKey: string;
  lastCustomerMessageAt: Date | null;
  channel: { type: string; provider: string; active: boolean };
}

/**
 * The rules every message on its way out passes, whoever writes it (an agent's reply, a supervisor's approval of
 * a draft, the hub's automatic replies): gathers the facts (the channel's adapter, the customer's consent) and
 * asks `decideSend`. The outbox checks consent once more at the last moment, since a STOP can arrive meanwhile.
 */
@Injectable()
export class SendPolicy {
  constructor(
    private readonly registry: ChannelRegistry,
    private readonly consent: ConsentService,
  ) {}

  async verdict(target: SendTarget, request: SendRequest, now: Date): Promise<SendVerdict> {
    return decideSend(await this.facts(target, now), request);
  }

  /** Throws the refusal as a DomainError, if there is one. */
  async check(target: SendTarget, request: SendRequest, now: Date): Promise<void> {
    const verdict = await this.verdict(target, request, now);
    if (!verdict.ok) throw refusalOf(verdict);
  }

  /** The longest text one message may carry on this channel (the composer shows it). */
  longestText(channel: { type: string; provider: string }): number {
    return longestText(capabilitiesOf(this.registry.get(channel.provider as ChannelProvider), channel.type as ChannelType));
  }

  /** The consent rule alone, for a conversation not yet opened (an agent writing first). */
  async checkConsent(teamId: string, contactId: string, channelType: ChannelType, purpose: SendPurpose): Promise<void> {
    const verdict = consentVerdict(channelType, await this.consentState(teamId, contactId, channelType), purpose);
    if (!verdict.ok) throw refusalOf(verdict);
  }

  private async facts(target: SendTarget, now: Date): Promise<SendFacts> {
    const type = target.channel.type as ChannelType;
    return {
      adapter: this.registry.get(target.channel.provider as ChannelProvider),
      channel: { type, active: target.channel.active },
      conversation: target,
      consent: await this.consentState(target.teamId, target.contactId, type),
      now,
    };
  }

  /** Web chat keeps no consent ledger: a visitor who writes is answered. */
  private async consentState(teamId: string, contactId: string, type: ChannelType): Promise<ConsentState | null> {
    if (type === 'webchat') return null;
    return (await this.consent.states(teamId, contactId))[type as ConsentChannel];
  }
}

