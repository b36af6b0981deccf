import { Inject, Injectable } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { MASTER_KEY } from '../common/common.module.js';
import { OneTimeCodes } from '../common/crypto/one-time-codes.js';
import { DATABASE, isUniqueViolation } from '../common/database/database.js';
import type { Db, Tx } from '../common/database/database.js';
import { DomainError } from '../common/errors/domain-error.js';
import { JOB_QUEUE } from '../common/jobs/index.js';
import type { JobQueue } from '../common/jobs/index.js';
import { MAILER } from '../common/mail/mailer.js';
import type { Mailer } from '../common/mail/mailer.js';
import { RATE_LIMITER } from '../common/rate-limit/rate-limiter.js';
import type { RateLimit, RateLimiter } from '../common/rate-limit/rate-limiter.js';
import { ACCESS_TOKENS, AccessTokens } from './access-tokens.js';
import { LoginThrottles, tooManyAttempts } from './login-throttle.repository.js';
import { PASSWORDS, PASSWORD_GATE, PasswordGate, Passwords, verifyPassword } from './passwords.js';
import { MembersService } from './members.service.js';
import { TeamsService, normalizeEmail } from './teams.service.js';
import { readTeamSettings } from './team-settings.schema.js';
import type { signedInMemberView } from './teams.schema.js';
import type { Role } from './auth.guard.js';

const FIFTEEN_MINUTES = 15 * 60;

/**
 * Failed sign-ins per client address, across accounts: a plain budget that stops one client spraying a common
 * password over many accounts (the per-account limit is in LoginThrottles). Generous enough for an office behind one
 * NAT address; a right password gives its point back.
 */
const LOGIN_FAILURES_PER_CLIENT: RateLimit = { name: 'login.client', points: 20, perSeconds: FIFTEEN_MINUTES, what: 'failed sign-ins from this address' };
/** Per address asked for: stops mail bombing one person, and guessing against a stream of fresh codes. */
const RESETS_PER_EMAIL: RateLimit = { name: 'password-reset.email', points: 5, perSeconds: FIFTEEN_MINUTES, what: 'password reset requests for this address' };
/** Per client address: stops one client walking through many addresses. */
const RESETS_PER_CLIENT: RateLimit = { name: 'password-reset.client', points: 5, perSeconds: FIFTEEN_MINUTES, what: 'password reset requests from this address' };

/**
 * Failed sign-ups per client address: the invite code is all that stands between a stranger and a seat in a team,
 * so a client may not walk the code space. A sign-up that works gives its point back.
 */
const SIGNUP_FAILURES_PER_CLIENT: RateLimit = { name: 'signup.client', points: 10, perSeconds: FIFTEEN_MINUTES, what: 'failed sign-ups from this address' };

/** The lookup, the code and the mail of one accepted reset request, done after the answer. */
const RESET_MAIL_JOB = 'password-reset-mail';
const resetMailJob = z.object({ email: z.string() });
type ResetMailJob = z.infer<typeof resetMailJob>;

const RESET_CODE_DIGITS = 6;
const RESET_CODE_TTL_MS = 15 * 60_000;
/** Wrong or right, a code takes this many tries in all: 5 in 10^6, and a new code costs a rate-limited request. */
const RESET_CODE_ATTEMPTS = 5;

export type MemberView = z.output<typeof signedInMemberView>;

@Injectable()
export class AuthService implements OnModuleInit {
  private readonly resetCodes: OneTimeCodes;
  private readonly throttles: LoginThrottles;

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(ACCESS_TOKENS) private readonly tokens: AccessTokens,
    @Inject(MAILER) private readonly mailer: Mailer,
    @Inject(RATE_LIMITER) private readonly limits: RateLimiter,
    @Inject(PASSWORD_GATE) private readonly gate: PasswordGate,
    @Inject(PASSWORDS) private readonly passwords: Passwords,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(JOB_QUEUE) private readonly jobs: JobQueue,
    @Inject(MASTER_KEY) masterKey: Buffer,
    private readonly members: MembersService,
    private readonly teams: TeamsService,
  ) {
    this.resetCodes = new OneTimeCodes(masterKey, 'password-reset');
    this.throttles = new LoginThrottles(db);
  }

  onModuleInit(): void {
    this.jobs.register<unknown>(RESET_MAIL_JOB, (data) => this.sendResetCode(resetMailJob.parse(data).email));
  }

  /**
   * A try is counted as a failure before the password is checked (so parallel guesses cannot all run before the
   * first failure is written), per client address and per account, and given back when the password was right or
   * was never checked.
   */
  async login(input: { email: string; password: string }, clientAddress: string) {
    const email = normalizeEmail(input.email);
    await this.limits.consume(LOGIN_FAILURES_PER_CLIENT, clientAddress);
    const waitMs = await this.throttles.claim(email).catch(async (error: unknown) => {
      await this.limits.release(LOGIN_FAILURES_PER_CLIENT, clientAddress);
      throw error;
    });
    if (waitMs !== null) {
      await this.limits.release(LOGIN_FAILURES_PER_CLIENT, clientAddress);
      throw tooManyAttempts(waitMs);
    }
    let ok: boolean;
    let member;
    try {
      member = await this.db.member.findUnique({ where: { email } });
      const found = member;
      // The timing equalizer is made inside the gate too: its first hash is argon2 work like any other.
      ok = await this.gate.run(async () => verifyPassword(found?.passwordHash ?? (await this.passwords.dummyHash()), input.password));
    } catch (error) {
      await Promise.all([this.throttles.giveBack(email), this.limits.release(LOGIN_FAILURES_PER_CLIENT, clientAddress)]);
      throw error;
    }
    if (!member || !ok) throw new DomainError('unauthenticated', 'invalid_credentials', 'The email address or the password is wrong.');
    await Promise.all([this.throttles.clear(email), this.limits.release(LOGIN_FAILURES_PER_CLIENT, clientAddress)]);
    // A hash made at an older HUB_PASSWORD_MEMORY_MIB is made again at the current one, while the password is at hand:
    // known accounts come to cost what the equalizer for unknown ones costs, so sign-in time tells nothing.
    if (this.passwords.needsRehash(member.passwordHash)) {
      const passwordHash = await this.gate.run(() => this.passwords.hash(input.password));
      await this.db.member.updateMany({ where: { id: member.id, passwordHash: member.passwordHash }, data: { passwordHash } });
    }
    // Said only after the right password: a guesser cannot tell a deactivated account from a wrong password.
    if (member.deactivatedAt) throw new DomainError('forbidden', 'member_deactivated', 'This account has been deactivated; ask an administrator of your team.');
    await this.members.onlineAtSignIn(member);
    const updated = await this.db.member.findUniqueOrThrow({ where: { id: member.id } });
    const accessToken = await this.tokens.sign({ memberId: member.id, teamId: member.teamId, version: member.tokenVersion });
    return { accessToken, member: toMemberView(updated) };
  }

  /**
   * A try is counted against the client's budget before the invite code is looked up (so parallel guesses cannot all
   * run before the first failure counts), and given back when the member was created.
   */
  async signup(input: { inviteCode: string; email: string; password: string; name: string }, client: string): Promise<MemberView> {
    await this.limits.consume(SIGNUP_FAILURES_PER_CLIENT, client);
    const member = await this.createMember(input);
    await this.limits.release(SIGNUP_FAILURES_PER_CLIENT, client);
    return member;
  }

  private async createMember(input: { inviteCode: string; email: string; password: string; name: string }): Promise<MemberView> {
    const team = await this.teams.joinableTeam(input.inviteCode);
    const passwordHash = await this.gate.run(() => this.passwords.hash(input.password));
    try {
      const member = await this.db.member.create({
        data: {
          teamId: team.id,
          email: normalizeEmail(input.email),
          name: input.name,
          passwordHash,
          role: 'operator',
          capacity: readTeamSettings(team.settings).defaultCapacity,
        },
      });
      return toMemberView(member);
    } catch (error) {
      if (isUniqueViolation(error)) throw new DomainError('conflict', 'email_taken', 'An account with this email address already exists.');
      throw error;
    }
  }

  /**
   * Always accepted, so the answer never tells whether an account exists; the limits count the address asked for
   * whether it exists or not, for the same reason. Everything else (the lookup, the code, the mail) is one job,
   * queued alike for every accepted request: neither the answer nor its timing differs between a known address and
   * an unknown one, and a slow relay never delays it.
   */
  async requestPasswordReset(rawEmail: string, clientAddress: string): Promise<void> {
    const email = normalizeEmail(rawEmail);
    await this.limits.consume(RESETS_PER_CLIENT, clientAddress);
    await this.limits.consume(RESETS_PER_EMAIL, email);
    // A random id: each accepted request is its own job (the per-address limit already bounds them). Safe to lose (a
    // stop of the in-process queue, a Redis that came back empty), so no row keeps it: it runs at once and its first
    // act stores the mail as a system mail, durable from then on; only a request still waiting for that first run is
    // lost, and its asker, who was told a code may be on its way, asks again. A row would keep, for a while, addresses
    // that belong to no account.
    await this.jobs.add<ResetMailJob>(RESET_MAIL_JOB, { email }, { jobId: randomUUID(), attempts: 3 });
  }

  /** The job of a reset request: a code mailed to the member, or nothing when no active account has the address. */
  private async sendResetCode(email: string): Promise<void> {
    const member = await this.db.member.findUnique({ where: { email } });
    // A deactivated member cannot sign in; a reset would only tell them (or a thief of their mailbox) so.
    if (!member || member.deactivatedAt) return;
    const code = this.resetCodes.generate(RESET_CODE_DIGITS);
    const now = this.clock.now();
    await this.db.$transaction(async (tx: Tx) => {
      // Only the newest code is good: earlier ones are retired (also those of an earlier try of this job).
      await tx.passwordReset.updateMany({ where: { memberId: member.id, usedAt: null }, data: { usedAt: now } });
      await tx.passwordReset.create({
        data: { memberId: member.id, codeHash: this.resetCodes.hash(code), expiresAt: new Date(now.getTime() + RESET_CODE_TTL_MS) },
      });
    });
    await this.mailer.send({
      to: member.email,
      subject: 'Tsunagi password reset code / パスワード再設定コード',
      text: `Your code: ${code}\nコード: ${code}\n\nIt expires in 15 minutes. / 有効期限は15分です。`,
    });
  }

  async confirmPasswordReset(input: { email: string; code: string; password: string }): Promise<void> {
    const invalid = new DomainError('invalid', 'invalid_reset_code', 'This code is wrong or has expired; ask for a new one.');
    const member = await this.db.member.findUnique({ where: { email: normalizeEmail(input.email) } });
    if (!member) throw invalid;
    const reset = await this.db.passwordReset.findFirst({
      where: { memberId: member.id, usedAt: null, expiresAt: { gt: this.clock.now() } },
      orderBy: { createdAt: 'desc' },
    });
    if (!reset) throw invalid;
    // A guess is compared only once it has won one of the code's tries, taken by a conditional update: of 300
    // parallel guesses, 5 are compared and the rest refused unseen.
    const { count: tried } = await this.db.passwordReset.updateMany({
      where: { id: reset.id, usedAt: null, attempts: { lt: RESET_CODE_ATTEMPTS } },
      data: { attempts: { increment: 1 } },
    });
    if (tried === 0 || !this.resetCodes.matches(reset.codeHash, input.code)) throw invalid;
    const passwordHash = await this.gate.run(() => this.passwords.hash(input.password));
    await this.db.$transaction(async (tx: Tx) => {
      // Conditional on still being unused: two confirmations racing with one code succeed once.
      const { count } = await tx.passwordReset.updateMany({ where: { id: reset.id, usedAt: null }, data: { usedAt: this.clock.now() } });
      if (count === 0) throw invalid;
      await tx.member.update({ where: { id: member.id }, data: { passwordHash, tokenVersion: { increment: 1 } } });
    });
  }
}

export function toMemberView(member: { id: string; teamId: string; role: Role; name: string; email: string }): MemberView {
  return { id: member.id, teamId: member.teamId, role: member.role, name: member.name, email: member.email };
}
