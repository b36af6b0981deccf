import { Controller, Delete, Get, HttpCode, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ValidBody } from '../common/http/zod-params.js';
import { AuthGuard, CurrentMember, RequireRole } from './auth.guard.js';
import type { AuthMember } from './auth.guard.js';
import { GroupsService } from './groups.service.js';
import { createGroupBody, groupListView, groupView, updateGroupBody } from './teams.schema.js';
import { Answers } from '../common/http/answers.js';

@ApiTags('members')
@ApiBearerAuth()
@Controller('api/groups')
@UseGuards(AuthGuard)
export class GroupsController {
  constructor(private readonly groups: GroupsService) {}

  @Answers(groupListView)
  @Get()
  async list(@CurrentMember() member: AuthMember) {
    return { items: await this.groups.list(member.teamId), nextCursor: null };
  }

  @Answers(groupView)
  @Post()
  @RequireRole('administrator')
  create(@CurrentMember() member: AuthMember, @ValidBody(createGroupBody) body: z.output<typeof createGroupBody>) {
    return this.groups.create(member.teamId, body);
  }

  @Answers(groupView)
  @Patch(':id')
  @RequireRole('administrator')
  update(@CurrentMember() member: AuthMember, @Param('id') id: string, @ValidBody(updateGroupBody) body: z.output<typeof updateGroupBody>) {
    return this.groups.update(member.teamId, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireRole('administrator')
  async remove(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    await this.groups.remove(member.teamId, id);
  }
}
