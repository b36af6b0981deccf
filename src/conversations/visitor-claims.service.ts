import { Inject, Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { HUB_CONFIG } from '../common/config/config.js';
import type { HubConfig } from '../common/config/config.js';
import { MASTER_KEY } from '../common/common.module.js';
import { OneTimeCodes } from '../common/crypto/one-time-codes.js';
import { DATABASE } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { DomainError } from '../common/errors/domain-error.js';
import { logger } from '../common/logging/logger.js';
import { MAILER } from '../common/mail/mailer.js';
import type { Mailer } from '../common/mail/mailer.js';
import { RATE_LIMITER } from '../common/rate-limit/rate-limiter.js';
import type { RateLimit, RateLimiter } from '../common/rate-limit/rate-limiter.js';
import type { ChannelAccount, ChannelAddress, ProofSent } from '../channels/index.js';
import { ChannelRegistry, ChannelsService } from '../channels/index.js';
import { ContactsService, checkEmailAddress, normalizeIdentity } from '../contacts/index.js';
import { readTeamSettings } from '../teams/index.js';
import type { TeamSettings } from '../teams/index.js';
import { ContactMergeService } from './contact-merge.service.js';
import { OutboxService } from './outbox.service.js';
import { TranscriptService } from './transcript.service.js';

type ClaimKind = 'email' | 'phone';

/** A claim as the services here use it. */
export interface VisitorClaim {
  id: string;
  kind: ClaimKind;
  address: string;
  provedAt: Date | null;
}

/** Six digits, five tries, fifteen minutes: one in 200,000 for a guesser per code, and codes are rationed below. */
const CODE_DIGITS = 6;
const MAX_TRIES = 5;
const CODE_TTL_MS = 15 * 60_000;
/** Codes to one address per hour (a mail bomb through the widget), and asked for by one visitor. */
const CODES_PER_ADDRESS: RateLimit = { name: 'widget.proof.address', points: 3, perSeconds: 3600, what: 'codes to this address' };
const CODES_PER_VISITOR: RateLimit = { name: 'widget.proof.visitor', points: 5, perSeconds: 3600, what: 'codes asked for' };
/**
 * Visitor ids are the client's to invent and addresses the script's to pick, so codes are also counted per client
 * address and per team: a script cannot pump the team's mail or SMS channel (each code is a paid message) by
 * rotating both. Ten an hour covers an office sharing an address; two hundred an hour is far above a shop's forms.
 */
const CODES_PER_CLIENT: RateLimit = { name: 'widget.proof.client', points: 10, perSeconds: 3600, what: 'codes asked for from your network' };
const CODES_PER_TEAM: RateLimit = { name: 'widget.proof.team', points: 200, perSeconds: 3600, what: 'codes asked for on this chat' };
/** Transcripts to one address a day, whichever visitor and conversation asks: every new session is a new conversation. */
const TRANSCRIPTS_PER_ADDRESS: RateLimit = { name: 'widget.transcript.address', points: 5, perSeconds: 86_400, what: 'transcripts to this address today' };

/** Who is asking, as the widget's socket knows them: the visitor id they sent, and the client address it came from. */
export interface WidgetCaller {
  visitorId: string;
  clientAddress: string;
}

/**
 * What a web visitor says about themselves is a claim (`visitor_claims`), never an identity: it merges nobody and
 * changes no consent. A claim on an address another contact holds becomes a merge proposal for supervisors, or,
 * when the team asks for proof (`visitorProof: 'code'`) and always for the message form's and the transcript's
 * address, a code sent to the address; entered in the widget, it makes the address the visitor's (merged into its holder). Nothing but
 * that code is sent to a claimed address before it is proved.
 */
@Injectable()
export class VisitorClaimsService {
  private readonly codes: OneTimeCodes;

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(MAILER) private readonly mailer: Mailer,
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiter,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    @Inject(MASTER_KEY) masterKey: Buffer,
    private readonly contacts: ContactsService,
    private readonly channels: ChannelsService,
    private readonly registry: ChannelRegistry,
    private readonly merges: ContactMergeService,
    private readonly outbox: OutboxService,
    private readonly transcripts: TranscriptService,
  ) {
    this.codes = new OneTimeCodes(masterKey, 'visitor-proof');
  }

  /** The pre-chat form or `Tsunagi('set', ...)`: a name is taken as given, an address only as a claim. */
  async identify(channel: ChannelAccount, caller: WidgetCaller, details: { name?: string; email?: string; phone?: string }): Promise<{ contactId: string; proof: ProofSent | null }> {
    const { visitorId } = caller;
    const contact = await this.visitorContact(channel, visitorId);
    const given = (['email', 'phone'] as const).flatMap((kind) => (details[kind] ? [{ kind, raw: details[kind] }] : []));
    const read = await Promise.all(given.map(async ({ kind, raw }) => ({ kind, found: await this.contacts.lookupAddress(channel.teamId, kind, raw) })));
    const invalid = read.filter((r) => !r.found).map((r) => ({ field: r.kind, message: r.kind === 'email' ? 'is not an email address' : 'is not a phone number' }));
    if (invalid.length > 0) throw new DomainError('invalid', 'invalid_request', 'Please check what you entered.', invalid);
    if (details.name) await this.contacts.nameFromCustomer(contact.id, 'visitor', visitorId, details.name);
    const settings = await this.settings(channel.teamId);
    let proof: ProofSent | null = null;
    for (const { kind, found } of read) {
      const claim = await this.claim(channel, visitorId, contact.id, kind, found!.address);
      if (claim.provedAt || found!.holderId === contact.id) continue;
      if (settings.visitorProof === 'code') proof = await this.sendCode(channel, caller, claim);
      else if (found!.holderId) await this.contacts.proposeMerge(channel.teamId, contact.id, found!.holderId, kind);
    }
    return { contactId: contact.id, proof };
  }

  /**
   * The message form's address (an email or a phone number): checked (a full-width ＠ is read as @), recorded as the visitor's claim, and a
   * merge proposed when another contact holds it and the team does not ask for proof.
   */
  async claimForForm(channel: ChannelAccount, visitorId: string, kind: ClaimKind, raw: string, name?: string) {
    const contact = await this.visitorContact(channel, visitorId);
    const found = await this.contacts.lookupAddress(channel.teamId, kind, raw);
    if (!found) throw new DomainError('invalid', 'invalid_request', 'Please check what you entered.', [{ field: kind, message: kind === 'email' ? 'is not an email address' : 'is not a phone number' }]);
    if (name) await this.contacts.nameFromCustomer(contact.id, 'visitor', visitorId, name);
    const claim = await this.claim(channel, visitorId, contact.id, kind, found.address);
    const settings = await this.settings(channel.teamId);
    if (!claim.provedAt && found.holderId && found.holderId !== contact.id && settings.visitorProof === 'proposal') {
      await this.contacts.proposeMerge(channel.teamId, contact.id, found.holderId, kind);
    }
    return { contact, claim, proofMode: settings.visitorProof };
  }

  /**
   * The code the visitor typed, for the newest code sent to them. Each try is counted by a conditional update
   * before the comparison: thirty guesses sent at once still get five tries between them.
   */
  async prove(channel: ChannelAccount, visitorId: string, typed: string): Promise<{ kind: ClaimKind }> {
    const now = this.clock.now();
    const claim = await this.db.visitorClaim.findFirst({
      where: { channelId: channel.id, visitorId, provedAt: null, codeHash: { not: null } },
      orderBy: { expiresAt: 'desc' },
    });
    if (!claim) throw new DomainError('conflict', 'no_proof_pending', 'No code has been sent to you; give your address first.');
    const { count } = await this.db.visitorClaim.updateMany({
      where: { id: claim.id, provedAt: null, codeHash: claim.codeHash, attempts: { lt: MAX_TRIES }, expiresAt: { gt: now } },
      data: { attempts: { increment: 1 } },
    });
    if (count === 0) {
      if (claim.expiresAt && claim.expiresAt <= now) throw new DomainError('conflict', 'proof_expired', 'This code has expired; ask for a new one.');
      throw new DomainError('conflict', 'proof_locked', 'Too many wrong codes; ask for a new one.');
    }
    if (!this.codes.matches(claim.codeHash!, typed)) {
      const left = await this.db.visitorClaim.findUniqueOrThrow({ where: { id: claim.id }, select: { attempts: true } });
      throw new DomainError('invalid', 'proof_failed', 'This is not the code we sent.', { attemptsLeft: Math.max(0, MAX_TRIES - left.attempts) });
    }
    const proved = await this.db.visitorClaim.updateMany({ where: { id: claim.id, provedAt: null }, data: { provedAt: now, codeHash: null } });
    if (proved.count === 1) await this.adopt(channel, visitorId, { id: claim.id, kind: claim.kind as ClaimKind, address: claim.address, provedAt: now });
    return { kind: claim.kind as ClaimKind };
  }

  /**
   * "Send me this chat by email": only to an address this visitor gave and proved, whatever `visitorProof` says
   * (an unproved one gets its code first, as the message form's does), at most `transcriptsPerDay` times per
   * conversation and five times a day per address: the transcript is no relay for anybody's mail.
   */
  async transcript(channel: ChannelAccount, caller: WidgetCaller, conversationId: string, email: string): Promise<{ email: string }> {
    const { visitorId } = caller;
    const check = checkEmailAddress(email);
    if (!check.ok) {
      throw new DomainError('invalid', 'invalid_email', check.reason, [
        { field: 'email', message: check.suggestion ? `${check.reason} Did you mean ${check.suggestion}?` : check.reason },
      ]);
    }
    // As claims are stored: `ME@Example.jp` is the address `me@example.jp` the visitor gave.
    const address = normalizeIdentity('email', check.address) ?? check.address;
    const claim = await this.db.visitorClaim.findUnique({
      where: { channelId_visitorId_kind_address: { channelId: channel.id, visitorId, kind: 'email', address } },
      select: { id: true, provedAt: true, codeHash: true, expiresAt: true },
    });
    if (!claim) {
      throw new DomainError('forbidden', 'transcript_address_not_given', 'A transcript goes only to an email address you gave in this chat.', [
        { field: 'email', message: 'was not given in this chat' },
      ]);
    }
    if (!claim.provedAt) {
      // A code still live is not replaced: asking again must not kill the code the visitor is about to type.
      const live = claim.codeHash !== null && claim.expiresAt !== null && claim.expiresAt > this.clock.now();
      const proof = live ? null : await this.sendCode(channel, caller, { id: claim.id, kind: 'email', address, provedAt: null });
      throw new DomainError('conflict', 'address_unproven', 'Confirm this address with the code sent to it, then ask again.', proof ? { proof } : undefined);
    }
    const settings = await this.settings(channel.teamId);
    const perDay = settings.widgetLimits?.transcriptsPerDay ?? this.config.widgetLimits.transcriptsPerDay;
    await this.limiter.consume({ name: 'widget.transcript.conversation', points: perDay, perSeconds: 86_400, what: 'transcripts of this chat today' }, conversationId);
    await this.limiter.consume(TRANSCRIPTS_PER_ADDRESS, `${channel.teamId}:${address}`);
    const requested = await this.transcripts.requestForTeam(channel.teamId, conversationId, { email: address });
    return { email: requested.email };
  }

  /**
   * Sends a fresh code for a claim (the previous one dies with its hash) through the team's own email or SMS
   * channel, or the hub's system mail for an email when the team has no email channel.
   */
  async sendCode(channel: ChannelAccount, caller: WidgetCaller, claim: VisitorClaim): Promise<ProofSent> {
    try {
      await this.limiter.consume(CODES_PER_ADDRESS, `${channel.teamId}:${claim.kind}:${claim.address}`);
      await this.limiter.consume(CODES_PER_VISITOR, `${channel.id}:${caller.visitorId}`);
      await this.limiter.consume(CODES_PER_CLIENT, `${channel.teamId}:${caller.clientAddress}`);
      await this.limiter.consume(CODES_PER_TEAM, channel.teamId);
    } catch (error) {
      if (error instanceof DomainError && error.retryAfterSeconds !== undefined) return { kind: claim.kind, sent: false, retryAfterSeconds: error.retryAfterSeconds };
      throw error;
    }
    const code = this.codes.generate(CODE_DIGITS);
    await this.db.visitorClaim.update({
      where: { id: claim.id },
      data: { codeHash: this.codes.hash(code), attempts: 0, expiresAt: new Date(this.clock.now().getTime() + CODE_TTL_MS) },
    });
    const team = await this.db.team.findUniqueOrThrow({ where: { id: channel.teamId }, select: { name: true } });
    const text = `${team.name} の確認コード: ${code}\n15分以内にチャット画面に入力してください。お心当たりがない場合は、このメッセージを無視してください。`;
    const sent = await this.deliverCode(channel.teamId, claim, text, `${team.name} 確認コード`);
    if (!sent) logger.warn({ claimId: claim.id, kind: claim.kind }, 'visitor proof code could not be sent');
    return { kind: claim.kind, sent };
  }

  private async deliverCode(teamId: string, claim: VisitorClaim, text: string, subject: string): Promise<boolean> {
    const type = claim.kind === 'email' ? 'email' : 'sms';
    const row = await this.db.channel.findFirst({ where: { teamId, type, active: true }, orderBy: { createdAt: 'asc' }, select: { id: true } });
    const account = row ? await this.channels.account(row.id) : null;
    if (!account) {
      if (claim.kind !== 'email') return false;
      await this.mailer.send({ to: claim.address, subject, text });
      return true;
    }
    const to: ChannelAddress = { kind: claim.kind, address: claim.address };
    const result = await this.registry.get(account.provider).send(account, {
      // The claim's id stands for the conversation: a code belongs to none.
      messageId: uuidv7(),
      conversationId: claim.id,
      to,
      body: text,
      attachments: [],
      author: { type: 'system', id: null, name: null },
      createdAt: this.clock.now(),
      seq: '0',
      subject,
    });
    return result.ok;
  }

  /** A proved address is the visitor's: added to their contact, or their contact merged into the one holding it. */
  private async adopt(channel: ChannelAccount, visitorId: string, claim: VisitorClaim): Promise<void> {
    const contact = await this.visitorContact(channel, visitorId);
    const outcome = await this.contacts.claimIdentity(channel.teamId, contact.id, claim.kind, claim.address);
    if (outcome.status === 'held' && outcome.holderId) await this.merges.mergeAs(channel.teamId, 'system', contact.id, outcome.holderId);
    await this.release(claim.id);
  }

  /**
   * The message form's conversation is inserted after its claim was read: a proof made in between released the
   * conversations waiting then, not this one. Called after the insert, it releases what the proof missed.
   */
  async releaseIfProved(claimId: string): Promise<void> {
    const claim = await this.db.visitorClaim.findUnique({ where: { id: claimId }, select: { provedAt: true } });
    if (claim?.provedAt) await this.release(claimId);
  }

  /**
   * One conditional update that says which rows it changed: a conversation held after it began is left to
   * `releaseIfProved`, and of two releases racing, each conversation goes to exactly one.
   */
  private async release(claimId: string): Promise<void> {
    const released = await this.db.conversation.updateManyAndReturn({ where: { awaitingClaimId: claimId }, data: { awaitingClaimId: null }, select: { id: true } });
    if (released.length > 0) await this.outbox.release(released.map((c) => c.id));
  }

  /** One row per visitor and address: giving it again finds the same claim (and a proof already made). */
  private async claim(channel: ChannelAccount, visitorId: string, contactId: string, kind: ClaimKind, address: string): Promise<VisitorClaim> {
    const row = await this.db.visitorClaim.upsert({
      where: { channelId_visitorId_kind_address: { channelId: channel.id, visitorId, kind, address } },
      create: { teamId: channel.teamId, channelId: channel.id, visitorId, contactId, kind, address },
      update: {},
      select: { id: true, kind: true, address: true, provedAt: true },
    });
    return { ...row, kind: row.kind as ClaimKind };
  }

  private async visitorContact(channel: ChannelAccount, visitorId: string) {
    return this.contacts.resolveIdentity(channel.teamId, { kind: 'visitor', address: visitorId });
  }

  private async settings(teamId: string): Promise<TeamSettings> {
    const team = await this.db.team.findUnique({ where: { id: teamId }, select: { settings: true } });
    return readTeamSettings(team?.settings);
  }
}
