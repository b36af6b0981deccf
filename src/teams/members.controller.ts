import { Controller, Get, Param, Patch, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ValidBody } from '../common/http/zod-params.js';
import { AuthGuard, CurrentMember, RequireRole } from './auth.guard.js';
import type { AuthMember } from './auth.guard.js';
import { MembersService } from './members.service.js';
import { memberStatusBody, updateMemberBody } from './teams.schema.js';

@ApiTags('members')
@ApiBearerAuth()
@Controller('api/members')
@UseGuards(AuthGuard)
export class MembersController {
  constructor(private readonly members: MembersService) {}

  @Get()
  async list(@CurrentMember() member: AuthMember) {
    return { items: await this.members.list(member.teamId), nextCursor: null };
  }

  // Declared before ':id' so that "me" is never read as an id.
  @Put('me/status')
  setStatus(@CurrentMember() member: AuthMember, @ValidBody(memberStatusBody) body: z.output<typeof memberStatusBody>) {
    return this.members.setStatus(member, body.status);
  }

  @Patch(':id')
  @RequireRole('administrator')
  update(@CurrentMember() member: AuthMember, @Param('id') id: string, @ValidBody(updateMemberBody) body: z.output<typeof updateMemberBody>) {
    return this.members.update(member, id, body);
  }
}
