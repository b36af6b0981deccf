import { Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ValidBody } from '../common/http/zod-params.js';
import { AuthGuard, CurrentMember, RequireRole } from './auth.guard.js';
import type { AuthMember } from './auth.guard.js';
import { GroupsService } from './groups.service.js';
import { createGroupBody, groupHoursBody, groupHoursView, groupListView, groupView, openingPreviewView, routingOrderBody, routingOrderView, updateGroupBody } from './teams.schema.js';
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

  /** The group's own shift (README, "Shifts per group"); `businessHours: null`: it follows the team's hours. */
  @Answers(groupHoursView)
  @Get(':id/hours')
  async hours(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    return { businessHours: await this.groups.hours(member.teamId, id) };
  }

  /** Saves the group's shift; members are switched at once to what it says now, as with the team's hours. */
  @Answers(groupHoursView)
  @Put(':id/hours')
  @RequireRole('administrator')
  async setHours(@CurrentMember() member: AuthMember, @Param('id') id: string, @ValidBody(groupHoursBody) body: z.output<typeof groupHoursBody>) {
    return { businessHours: await this.groups.setHours(member.teamId, id, body.businessHours) };
  }

  /** On shift now or not, until when, and the next start, the team's hours and national holidays included. */
  @Answers(openingPreviewView)
  @Get(':id/hours/preview')
  preview(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    return this.groups.shiftPreview(member.teamId, id);
  }
}

/** The order in which groups on shift are offered a new chat (README, "Shifts per group"). */
@ApiTags('routing')
@ApiBearerAuth()
@Controller('api/routing/group-order')
@UseGuards(AuthGuard)
export class RoutingOrderController {
  constructor(private readonly groups: GroupsService) {}

  @Answers(routingOrderView)
  @Get()
  async get(@CurrentMember() member: AuthMember) {
    return { groupIds: await this.groups.routingOrder(member.teamId) };
  }

  /** The order becomes exactly `groupIds`, first first; a group left out is not offered chats by its shift. */
  @Answers(routingOrderView)
  @Put()
  @RequireRole('administrator')
  async set(@CurrentMember() member: AuthMember, @ValidBody(routingOrderBody) body: z.output<typeof routingOrderBody>) {
    return { groupIds: await this.groups.setRoutingOrder(member.teamId, body.groupIds) };
  }
}
