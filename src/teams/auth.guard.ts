import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../common/errors/domain-error.js';
import { DATABASE } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { ACCESS_TOKENS, AccessTokens } from './access-tokens.js';
import { MemberActivity } from './member-devices.js';

export type Role = 'operator' | 'supervisor' | 'administrator';

/** The signed-in member, as every scoped query sees it: the team comes from here, never from a body. */
export interface AuthMember {
  id: string;
  teamId: string;
  role: Role;
  name: string;
  email: string;
  training: boolean;
}

const RANK: Record<Role, number> = { operator: 0, supervisor: 1, administrator: 2 };

export const hasRole = (member: Pick<AuthMember, 'role'>, least: Role) => RANK[member.role] >= RANK[least];

const LEAST_ROLE = 'tsunagi:least-role';
/** The least role a route needs; supervisors may do what operators may, administrators everything. */
export const RequireRole = (role: Role) => SetMetadata(LEAST_ROLE, role);

type AuthedRequest = FastifyRequest & { member?: AuthMember };

export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match ? match[1] : null;
}

export const memberDeactivated = () =>
  new DomainError('unauthenticated', 'member_deactivated', 'This account has been deactivated by an administrator of your team.');

/** Resolves a token to its member; a token whose member is gone or deactivated, or whose version is old, is refused. */
export async function authenticate(db: Db, tokens: AccessTokens, token: string | null): Promise<AuthMember> {
  return (await authenticateSession(db, tokens, token)).member;
}

/** As `authenticate`, with the token version the session holds: a socket keeps it to notice when it is retired. */
export async function authenticateSession(db: Db, tokens: AccessTokens, token: string | null): Promise<{ member: AuthMember; tokenVersion: number }> {
  const claims = token ? await tokens.verify(token) : null;
  if (!claims) throw new DomainError('unauthenticated', 'unauthenticated', 'Sign in first: the access token is missing, invalid or expired.');
  const member = await db.member.findUnique({ where: { id: claims.memberId } });
  if (member?.deactivatedAt && member.teamId === claims.teamId) throw memberDeactivated();
  if (!member || member.teamId !== claims.teamId || member.tokenVersion !== claims.version) {
    throw new DomainError('unauthenticated', 'unauthenticated', 'This access token is no longer valid; sign in again.');
  }
  return {
    member: { id: member.id, teamId: member.teamId, role: member.role, name: member.name, email: member.email, training: member.training },
    tokenVersion: member.tokenVersion,
  };
}

/** Whether a session at `tokenVersion` is still good: the member is active and no newer version was issued. */
export async function sessionStillValid(db: Db, memberId: string, tokenVersion: number): Promise<boolean> {
  const member = await db.member.findUnique({ where: { id: memberId }, select: { tokenVersion: true, deactivatedAt: true } });
  return member !== null && member.deactivatedAt === null && member.tokenVersion === tokenVersion;
}

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(ACCESS_TOKENS) private readonly tokens: AccessTokens,
    private readonly reflector: Reflector,
    private readonly activity: MemberActivity,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    const member = await authenticate(this.db, this.tokens, bearerToken(request.headers.authorization));
    const least = this.reflector.getAllAndOverride<Role | undefined>(LEAST_ROLE, [context.getHandler(), context.getClass()]);
    if (least && !hasRole(member, least)) {
      throw new DomainError('forbidden', 'forbidden', `Only a ${least} or above may do this.`);
    }
    request.member = member;
    await this.activity.record(member.id);
    return true;
  }
}

export const CurrentMember = createParamDecorator((_: unknown, context: ExecutionContext): AuthMember => {
  const member = context.switchToHttp().getRequest<AuthedRequest>().member;
  if (!member) throw new Error('CurrentMember used on a route without AuthGuard');
  return member;
});
