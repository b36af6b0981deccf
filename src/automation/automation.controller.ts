import { Controller, Delete, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Answers } from '../common/http/answers.js';
import { ValidBody, ValidQuery } from '../common/http/zod-params.js';
import { AuthGuard, CurrentMember, RequireRole } from '../teams/index.js';
import type { AuthMember } from '../teams/index.js';
import { reorderBody, ruleBody, ruleView, runView, runsQuery, testBody, testView } from './automation.schema.js';
import { AutomationService } from './automation.service.js';

const ruleList = z.object({ items: z.array(ruleView) });
const runList = z.object({ items: z.array(runView) });

/** Administrators only: rules act on every chat of the team. */
@ApiTags('automation')
@ApiBearerAuth()
@Controller('api/automation')
@UseGuards(AuthGuard)
@RequireRole('administrator')
export class AutomationController {
  constructor(private readonly automation: AutomationService) {}

  /** The team's rules in the order they run. */
  @Answers(ruleList)
  @Get('rules')
  async list(@CurrentMember() member: AuthMember) {
    return { items: await this.automation.list(member.teamId) };
  }

  /** A new rule, run after the others; 400 `invalid_rule` names a group, member, channel or category not the team's. */
  @Answers(ruleView, 'Created.')
  @Post('rules')
  create(@CurrentMember() member: AuthMember, @ValidBody(ruleBody) body: z.output<typeof ruleBody>) {
    return this.automation.create(member.teamId, body);
  }

  /** The new order, every rule named once (400 `invalid_rule_order` otherwise). */
  @Answers(ruleList)
  @Put('rules/order')
  async reorder(@CurrentMember() member: AuthMember, @ValidBody(reorderBody) body: z.output<typeof reorderBody>) {
    return { items: await this.automation.reorder(member.teamId, body.ruleIds) };
  }

  /** A dry run against a past conversation: which conditions match and which actions would run; nothing is done. */
  @Answers(testView)
  @Post('rules/test')
  @HttpCode(200)
  test(@CurrentMember() member: AuthMember, @ValidBody(testBody) body: z.output<typeof testBody>) {
    return this.automation.test(member.teamId, body);
  }

  /** Replaces a rule's name, event, conditions and actions. */
  @Answers(ruleView)
  @Put('rules/:id')
  update(@CurrentMember() member: AuthMember, @Param('id') id: string, @ValidBody(ruleBody) body: z.output<typeof ruleBody>) {
    return this.automation.update(member.teamId, id, body);
  }

  @Delete('rules/:id')
  @HttpCode(204)
  async remove(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    await this.automation.remove(member.teamId, id);
  }

  /** The latest runs, newest first: the event, what matched (or the first condition that did not) and what each action did. */
  @Answers(runList)
  @Get('runs')
  async runs(@CurrentMember() member: AuthMember, @ValidQuery(runsQuery) query: z.output<typeof runsQuery>) {
    return { items: await this.automation.runs(member.teamId, query.limit) };
  }
}
