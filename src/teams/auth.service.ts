import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { DATABASE, isUniqueViolation } from '../common/database/database.js';
import type { Db, Tx } from '../common/database/database.js';
import { DomainError } from '../common/errors/domain-error.js';
import { MAILER } from '../common/mail/mailer.js';
import type { Mailer } from '../common/mail/mailer.js';
import { ACCESS_TOKENS, AccessTokens } from './access-tokens.js';
import { DUMMY_HASH, hashPassword, verifyPassword } from './passwords.js';
import { MembersService } from './members.service.js';
import { TeamsService, normalizeEmail } from './teams.service.js';
import { readTeamSettings } from './team-settings.schema.js';

/** Failed logins allowed per account and address within a minute, then 429 until the minute has passed. */
const FAILURES_PER_ACCOUNT = 5;
/** Per address across accounts: stops one client from walking through many accounts. */
const FAILURES_PER_ADDRESS = 50;
const WINDOW_MS = 60_000;
const RESET_CODE_TTL_MS = 15 * 60_000;
/** A 5-digit code has 100,000 values: a reset allows only a few guesses. */
const RESET_CODE_ATTEMPTS = 5;

const hashCode = (code: string) => createHash('sha256').update(code).digest();

export interface MemberView {
  id: string;
  teamId: string;
  role: string;
  name: string;
  email: string;
}

@Injectable()
export class AuthService {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(ACCESS_TOKENS) private readonly tokens: AccessTokens,
    @Inject(MAILER) private readonly mailer: Mailer,
    private readonly members: MembersService,
    private readonly teams: TeamsService,
  ) {}

  async login(input: { email: string; password: string }, address: string) {
    const email = normalizeEmail(input.email);
    const since = new Date(Date.now() - WINDOW_MS);
    const [forAccount, forAddress] = await Promise.all([
      this.db.loginFailure.count({ where: { email, address, createdAt: { gte: since } } }),
      this.db.loginFailure.count({ where: { address, createdAt: { gte: since } } }),
    ]);
    if (forAccount >= FAILURES_PER_ACCOUNT || forAddress >= FAILURES_PER_ADDRESS) {
      throw new DomainError('too_many_requests', 'too_many_attempts', 'Too many failed sign-ins; wait a minute and try again.');
    }
    const member = await this.db.member.findUnique({ where: { email } });
    const ok = await verifyPassword(member?.passwordHash ?? DUMMY_HASH, input.password);
    if (!member || !ok) {
      await this.db.loginFailure.create({ data: { email, address } });
      throw new DomainError('unauthenticated', 'invalid_credentials', 'The email address or the password is wrong.');
    }
    // Said only after the right password: a guesser cannot tell a deactivated account from a wrong password.
    if (member.deactivatedAt) throw new DomainError('forbidden', 'member_deactivated', 'This account has been deactivated; ask an administrator of your team.');
    await this.members.onlineAtSignIn(member);
    const updated = await this.db.member.findUniqueOrThrow({ where: { id: member.id } });
    const accessToken = await this.tokens.sign({ memberId: member.id, teamId: member.teamId, version: member.tokenVersion });
    return { accessToken, member: toMemberView(updated) };
  }

  async signup(input: { inviteCode: string; email: string; password: string; name: string }): Promise<MemberView> {
    const team = await this.teams.joinableTeam(input.inviteCode);
    const passwordHash = await hashPassword(input.password);
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

  /** Always accepted, so the answer never tells whether an account exists. */
  async requestPasswordReset(rawEmail: string): Promise<void> {
    const member = await this.db.member.findUnique({ where: { email: normalizeEmail(rawEmail) } });
    // A deactivated member cannot sign in; a reset would only tell them (or a thief of their mailbox) so.
    if (!member || member.deactivatedAt) return;
    const code = String(randomInt(0, 100_000)).padStart(5, '0');
    await this.db.$transaction(async (tx: Tx) => {
      // Only the newest code is good: earlier ones are retired.
      await tx.passwordReset.updateMany({ where: { memberId: member.id, usedAt: null }, data: { usedAt: new Date() } });
      await tx.passwordReset.create({
        data: { memberId: member.id, codeHash: hashCode(code).toString('hex'), expiresAt: new Date(Date.now() + RESET_CODE_TTL_MS) },
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
      where: { memberId: member.id, usedAt: null, expiresAt: { gt: new Date() }, attempts: { lt: RESET_CODE_ATTEMPTS } },
      orderBy: { createdAt: 'desc' },
    });
    if (!reset) throw invalid;
    const matches = timingSafeEqual(Buffer.from(reset.codeHash, 'hex'), hashCode(input.code.normalize('NFKC').trim()));
    if (!matches) {
      await this.db.passwordReset.update({ where: { id: reset.id }, data: { attempts: { increment: 1 } } });
      throw invalid;
    }
    const passwordHash = await hashPassword(input.password);
    await this.db.$transaction(async (tx: Tx) => {
      // Conditional on still being unused: two confirmations racing with one code succeed once.
      const { count } = await tx.passwordReset.updateMany({ where: { id: reset.id, usedAt: null }, data: { usedAt: new Date() } });
      if (count === 0) throw invalid;
      await tx.member.update({ where: { id: member.id }, data: { passwordHash, tokenVersion: { increment: 1 } } });
    });
  }
}

export function toMemberView(member: { id: string; teamId: string; role: string; name: string; email: string }): MemberView {
  return { id: member.id, teamId: member.teamId, role: member.role, name: member.name, email: member.email };
}
