import { Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { HUB_CONFIG } from '../common/config/config.js';
import type { HubConfig } from '../common/config/config.js';
import { DomainError } from '../common/errors/domain-error.js';
import { ValidBody } from '../common/http/zod-params.js';
import { AuthGuard, CurrentMember, RequireRole, bearerToken } from './auth.guard.js';
import type { AuthMember } from './auth.guard.js';
import { TeamsService } from './teams.service.js';
import { apiKeyListView, createApiKeyBody, createdApiKeyView, createdTeamView, createTeamBody, teamView, updateTeamBody } from './teams.schema.js';
import { Answers } from '../common/http/answers.js';

@ApiTags('teams')
@ApiBearerAuth()
@Controller('api/teams')
export class TeamsController {
  constructor(
    private readonly teams: TeamsService,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  /** For the server's operator (HUB_OPERATOR_TOKEN), not for team members. */
  @Answers(createdTeamView)
  @Post()
  async create(@ValidBody(createTeamBody) body: z.output<typeof createTeamBody>, @Req() request: FastifyRequest) {
    this.assertOperator(bearerToken(request.headers.authorization));
    const { team, admin } = await this.teams.createTeam(body);
    return { team: { id: team.id, name: team.name, inviteCode: team.inviteCode }, admin: { id: admin.id, email: admin.email } };
  }

  @Answers(teamView, 'The invite code only for administrators and supervisors.')
  @Get('current')
  @UseGuards(AuthGuard)
  current(@CurrentMember() member: AuthMember) {
    return this.teams.current(member.teamId, member);
  }

  @Answers(teamView)
  @Patch('current')
  @UseGuards(AuthGuard)
  @RequireRole('administrator')
  update(@CurrentMember() member: AuthMember, @ValidBody(updateTeamBody) body: z.output<typeof updateTeamBody>) {
    return this.teams.update(member.teamId, body);
  }

  @Answers(teamView)
  @Post('current/invite-code')
  @UseGuards(AuthGuard)
  @RequireRole('administrator')
  @HttpCode(200)
  regenerateInviteCode(@CurrentMember() member: AuthMember) {
    return this.teams.regenerateInviteCode(member.teamId);
  }

  @Answers(createdApiKeyView, 'The key is shown this once.')
  @Post('current/api-keys')
  @UseGuards(AuthGuard)
  @RequireRole('administrator')
  createApiKey(@CurrentMember() member: AuthMember, @ValidBody(createApiKeyBody) body: z.output<typeof createApiKeyBody>) {
    return this.teams.createApiKey(member.teamId, body.name);
  }

  @Answers(apiKeyListView)
  @Get('current/api-keys')
  @UseGuards(AuthGuard)
  @RequireRole('administrator')
  async listApiKeys(@CurrentMember() member: AuthMember) {
    return { items: await this.teams.listApiKeys(member.teamId), nextCursor: null };
  }

  @Delete('current/api-keys/:id')
  @UseGuards(AuthGuard)
  @RequireRole('administrator')
  @HttpCode(204)
  revokeApiKey(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    return this.teams.revokeApiKey(member.teamId, id);
  }

  private assertOperator(token: string | null): void {
    const expected = this.config.operatorToken;
    if (!expected) {
      throw new DomainError('forbidden', 'operator_api_disabled', 'Creating teams over the API is off: the server has no HUB_OPERATOR_TOKEN.');
    }
    const given = Buffer.from(token ?? '');
    const wanted = Buffer.from(expected);
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
      throw new DomainError('unauthenticated', 'unauthenticated', 'This route needs the server operator token.');
    }
  }
}
