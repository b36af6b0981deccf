import { Inject, Injectable } from '@nestjs/common';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { MASTER_KEY } from '../common/common.module.js';
import { OneTimeCodes } from '../common/crypto/one-time-codes.js';
import { DATABASE, isUniqueViolation } from '../common/database/database.js';
import type { Db, Tx } from '../common/database/database.js';
import { DomainError } from '../common/errors/domain-error.js';
import { MAILER } from '../common/mail/mailer.js';
import type { Mailer } from '../common/mail/mailer.js';
import { logger } from '../common/logging/logger.js';
import { RATE_LIMITER } from '../common/rate-limit/rate-limiter.js';
import type { RateLimit, RateLimiter } from '../common/rate-limit/rate-limiter.js';
import { ACCESS_TOKENS, AccessTokens } from './access-tokens.js';
import type { AuthMember } from './auth.guard.js';
import { MembersService } from './members.service.js';
import type { MemberListItem } from './members.service.js';
import { LoginThrottles, tooManyAttempts } from './login-throttle.repository.js';
import { PASSWORDS, PASSWORD_GATE, PasswordGate, Passwords, verifyPassword } from './passwords.js';
import { TeamEvents } from './team.events.js';
import { normalizeEmail } from './teams.service.js';

const EMAIL_CODE_DIGITS = 6;
const EMAIL_CODE_TTL_MS = 15 * 60_000;
/** A 6-digit code has a million values: five tries leave a guesser one chance in 200,000. */
const EMAIL_CODE_TRIES = 5;

/**
 * Codes mailed per member: each request mails an address the member chose, so without a budget a signed-in account
 * (or its thief) could use the hub to mail anyone, as often as it likes.
 */
const EMAIL_CHANGES_PER_MEMBER: RateLimit = { name: 'email-change.member', points: 5, perSeconds: 60 * 60, what: 'email change requests from this account' };

const invalidCode = () => new DomainError('invalid', 'invalid_code', 'This code is wrong or has expired; ask for a new one.');

/**
 * A member's own account: password and email. Both are what a thief of a session would change to keep the account,
 * so a password change needs the current password and retires every other session, and a new address must prove
 * itself with a code mailed to it.
 */
@Injectable()
export class AccountService {
  private readonly emailCodes: OneTimeCodes;
  private readonly throttles: LoginThrottles;

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(ACCESS_TOKENS) private readonly tokens: AccessTokens,
    @Inject(MAILER) private readonly mailer: Mailer,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(PASSWORD_GATE) private readonly gate: PasswordGate,
    @Inject(PASSWORDS) private readonly passwords: Passwords,
    @Inject(RATE_LIMITER) private readonly limits: RateLimiter,
    @Inject(MASTER_KEY) masterKey: Buffer,
    private readonly events: TeamEvents,
    private readonly members: MembersService,
  ) {
    this.emailCodes = new OneTimeCodes(masterKey, 'email-change');
    this.throttles = new LoginThrottles(db);
  }

  /**
   * Sets a new password and answers a token for this device; every older token (other devices) is retired. A wrong
   * current password counts against the account exactly as a failed sign-in does (a stolen session must not guess it
   * faster than a stranger at the sign-in form), and both argon2 runs wait at the same gate as sign-in.
   */
  async changePassword(actor: AuthMember, input: { currentPassword: string; newPassword: string }): Promise<{ accessToken: string }> {
    const member = await this.db.member.findUniqueOrThrow({ where: { id: actor.id } });
    const waitMs = await this.throttles.claim(member.email);
    if (waitMs !== null) throw tooManyAttempts(waitMs);
    let ok: boolean;
    try {
      ok = await this.gate.run(() => verifyPassword(member.passwordHash, input.currentPassword));
    } catch (error) {
      await this.throttles.giveBack(member.email);
      throw error;
    }
    if (!ok) {
      throw new DomainError('forbidden', 'wrong_password', 'The current password is wrong.', [{ field: 'currentPassword', message: 'is not your password' }]);
    }
    await this.throttles.clear(member.email);
    const passwordHash = await this.gate.run(() => this.passwords.hash(input.newPassword));
    // Conditional on the version just read: a change racing another one, or a deactivation, mints no token.
    const { count } = await this.db.member.updateMany({
      where: { id: member.id, tokenVersion: member.tokenVersion, deactivatedAt: null },
      data: { passwordHash, tokenVersion: { increment: 1 } },
    });
    if (count === 0) throw new DomainError('conflict', 'account_changed', 'Your account changed meanwhile; sign in again.');
    const tokenVersion = member.tokenVersion + 1;
    this.events.emit('member.tokens_revoked', { teamId: member.teamId, memberId: member.id, tokenVersion, reason: 'password_changed' });
    await this.notify(member.email, 'Tsunagi: your password was changed / パスワードが変更されました', 'Your Tsunagi password was just changed, and your other devices were signed out. If this was not you, tell your administrator at once.\nTsunagi のパスワードが変更され、他の端末はサインアウトされました。心当たりがない場合はすぐに管理者に連絡してください。');
    return { accessToken: await this.tokens.sign({ memberId: member.id, teamId: member.teamId, version: tokenVersion }) };
  }

  /**
   * "Log out everywhere": retires every token of the account, this device's included, and tells connected devices.
   * For a member who left a session open on a shared computer or lost a phone; the password stays as it is.
   */
  async signOutEverywhere(actor: AuthMember): Promise<void> {
    const updated = await this.db.member.update({ where: { id: actor.id }, data: { tokenVersion: { increment: 1 } }, select: { tokenVersion: true } });
    this.events.emit('member.tokens_revoked', { teamId: actor.teamId, memberId: actor.id, tokenVersion: updated.tokenVersion, reason: 'session_revoked' });
    logger.info({ memberId: actor.id }, 'member signed out everywhere');
  }

  /**
   * Mails a code to the new address; the account moves only when the code comes back. Whether the address is taken
   * is told only then, to someone who has shown they read its mail. A newer request retires the older code.
   */
  async requestEmailChange(actor: AuthMember, rawEmail: string): Promise<{ email: string; expiresAt: string }> {
    const email = normalizeEmail(rawEmail);
    if (email === actor.email) {
      throw new DomainError('invalid', 'invalid_request', 'This is already your email address.', [{ field: 'email', message: 'is your current address' }]);
    }
    await this.limits.consume(EMAIL_CHANGES_PER_MEMBER, actor.id);
    const code = this.emailCodes.generate(EMAIL_CODE_DIGITS);
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + EMAIL_CODE_TTL_MS);
    await this.db.$transaction(async (tx: Tx) => {
      await tx.emailChange.updateMany({ where: { memberId: actor.id, usedAt: null }, data: { usedAt: now } });
      await tx.emailChange.create({ data: { memberId: actor.id, email, codeHash: this.emailCodes.hash(code), expiresAt } });
    });
    await this.mailer.send({
      to: email,
      subject: 'Tsunagi: confirm your new email address / メールアドレス確認コード',
      text: `Your code: ${code}\nコード: ${code}\n\nEnter it in Tsunagi to make this your sign-in address. It expires in 15 minutes. If you did not ask for this, ignore this mail.\nTsunagi に入力すると、このアドレスがサインイン用になります。有効期限は15分です。心当たりがない場合は無視してください。`,
    });
    return { email, expiresAt: expiresAt.toISOString() };
  }

  async confirmEmailChange(actor: AuthMember, code: string): Promise<MemberListItem> {
    const now = this.clock.now();
    const change = await this.db.emailChange.findFirst({ where: { memberId: actor.id, usedAt: null, expiresAt: { gt: now } }, orderBy: { createdAt: 'desc' } });
    if (!change) throw invalidCode();
    // The try is taken before the code is compared, by one conditional update: parallel guesses cannot share a try.
    const { count: tried } = await this.db.emailChange.updateMany({
      where: { id: change.id, usedAt: null, attempts: { lt: EMAIL_CODE_TRIES } },
      data: { attempts: { increment: 1 } },
    });
    if (tried === 0 || !this.emailCodes.matches(change.codeHash, code)) throw invalidCode();
    try {
      await this.db.$transaction(async (tx: Tx) => {
        const { count } = await tx.emailChange.updateMany({ where: { id: change.id, usedAt: null }, data: { usedAt: now } });
        if (count === 0) throw invalidCode();
        await tx.member.update({ where: { id: actor.id }, data: { email: change.email } });
      });
    } catch (error) {
      // The unique email decides, not a look beforehand: two accounts confirming one address at once get one.
      if (isUniqueViolation(error)) throw new DomainError('conflict', 'email_taken', 'An account with this email address already exists.');
      throw error;
    }
    logger.info({ memberId: actor.id }, 'member email changed');
    await this.notify(actor.email, 'Tsunagi: your sign-in address was changed / サインイン用アドレスが変更されました', 'Your Tsunagi account now signs in with another email address. If this was not you, tell your administrator at once.\nTsunagi のサインイン用アドレスが別のアドレスに変更されました。心当たりがない場合はすぐに管理者に連絡してください。');
    return this.members.get(actor.id);
  }

  /** A notice to the account's owner; failing to send it does not undo the change. */
  private async notify(to: string, subject: string, text: string): Promise<void> {
    await this.mailer.send({ to, subject, text }).catch((error: unknown) => logger.error({ err: error }, 'account notice not sent'));
  }
}
