import { CanActivate, ExecutionContext, Injectable, createParamDecorator } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../common/errors/domain-error.js';
import { TeamsService, bearerToken } from '../teams/index.js';

type KeyedRequest = FastifyRequest & { apiKeyTeamId?: string };

/**
 * Server-to-server routes (the shop's backend reporting purchases): `Authorization: Bearer <team API key>`. The
 * key names the team; nothing in the body can point at another team's data.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly teams: TeamsService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<KeyedRequest>();
    const key = bearerToken(request.headers.authorization);
    if (!key) throw new DomainError('unauthenticated', 'api_key_required', 'This route needs a team API key: Authorization: Bearer <key>.');
    const teamId = await this.teams.teamOfApiKey(key);
    // Unknown and revoked keys are told apart to nobody: both are simply not (or no longer) a key.
    if (!teamId) throw new DomainError('unauthenticated', 'invalid_api_key', 'This API key is unknown or has been revoked; an administrator can create a new one.');
    request.apiKeyTeamId = teamId;
    return true;
  }
}

/** The team whose API key signed the request (routes behind ApiKeyGuard). */
export const ApiKeyTeam = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const teamId = context.switchToHttp().getRequest<KeyedRequest>().apiKeyTeamId;
  if (!teamId) throw new Error('ApiKeyTeam used on a route without ApiKeyGuard');
  return teamId;
});
