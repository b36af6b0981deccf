import { Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ValidBody } from '../common/http/zod-params.js';
import { AccountService } from './account.service.js';
import { AuthGuard, CurrentMember, RequireRole } from './auth.guard.js';
import type { AuthMember } from './auth.guard.js';
import { MembersService } from './members.service.js';
import { accessTokenView, changePasswordBody, colleagueStatusBody, presenceChangeListView, emailChangeBody, emailChangeConfirmBody, emailChangeView, memberListView, memberStatusBody, memberView, renameSelfBody, updateMemberBody } from './teams.schema.js';
import { Answers } from '../common/http/answers.js';

@ApiTags('members')
@ApiBearerAuth()
@Controller('api/members')
@UseGuards(AuthGuard)
export class MembersController {
  constructor(
    private readonly members: MembersService,
    private readonly account: AccountService,
  ) {}

  @Answers(memberListView)
  @Get()
  async list(@CurrentMember() member: AuthMember) {
    return { items: await this.members.list(member), nextCursor: null };
  }

  // The "me" routes are declared before ':id' so that "me" is never read as an id.
  @Answers(memberView)
  @Put('me/status')
  setStatus(@CurrentMember() member: AuthMember, @ValidBody(memberStatusBody) body: z.output<typeof memberStatusBody>) {
    return this.members.setStatus(member, body.status);
  }

  @Answers(memberView)
  @Patch('me')
  rename(@CurrentMember() member: AuthMember, @ValidBody(renameSelfBody) body: z.output<typeof renameSelfBody>) {
    return this.members.rename(member, body.name);
  }

  /** 403 `wrong_password`; on success a fresh token for this device, and every other device is signed out. */
  @Answers(accessTokenView)
  @Put('me/password')
  changePassword(@CurrentMember() member: AuthMember, @ValidBody(changePasswordBody) body: z.output<typeof changePasswordBody>) {
    return this.account.changePassword(member, body);
  }

  /** 204: every device of this account is signed out, this one included; connected ones are told (`signed_out`). */
  @Post('me/sign-out-everywhere')
  @HttpCode(204)
  async signOutEverywhere(@CurrentMember() member: AuthMember) {
    await this.account.signOutEverywhere(member);
  }

  /** 202: a 6-digit code goes to the new address; the address changes when it is confirmed. */
  @Answers(emailChangeView, 'The address the code went to, and until when it holds.')
  @Post('me/email')
  @HttpCode(202)
  requestEmailChange(@CurrentMember() member: AuthMember, @ValidBody(emailChangeBody) body: z.output<typeof emailChangeBody>) {
    return this.account.requestEmailChange(member, body.email);
  }

  /** 400 `invalid_code` (wrong, expired, or five tries used), 409 `email_taken`. */
  @Answers(memberView)
  @Post('me/email/confirm')
  @HttpCode(200)
  confirmEmailChange(@CurrentMember() member: AuthMember, @ValidBody(emailChangeConfirmBody) body: z.output<typeof emailChangeConfirmBody>) {
    return this.account.confirmEmailChange(member, body.code);
  }

  /**
   * A supervisor or administrator switches a colleague online, on a break or offline, saying why (recorded with who
   * did it; the member's devices get `presence.set`). 409 `closed` outside business hours for `online`, 409
   * `member_deactivated` for a deactivated member.
   */
  @Answers(memberView)
  @Put(':id/status')
  @RequireRole('supervisor')
  setStatusOf(@CurrentMember() member: AuthMember, @Param('id') id: string, @ValidBody(colleagueStatusBody) body: z.output<typeof colleagueStatusBody>) {
    return this.members.setStatusOf(member, id, body);
  }

  /** The statuses colleagues set for this member (`PUT /api/members/:id/status`), latest first, at most 50. */
  @Answers(presenceChangeListView)
  @Get(':id/status-changes')
  @RequireRole('supervisor')
  async presenceChanges(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    return { items: await this.members.presenceChanges(member.teamId, id), nextCursor: null };
  }

  @Answers(memberView)
  @Patch(':id')
  @RequireRole('administrator')
  update(@CurrentMember() member: AuthMember, @Param('id') id: string, @ValidBody(updateMemberBody) body: z.output<typeof updateMemberBody>) {
    return this.members.update(member, id, body);
  }

  /** Deactivates (not deletes) a member; 403 `cannot_deactivate_self`, 409 `last_administrator`. */
  @Delete(':id')
  @RequireRole('administrator')
  @HttpCode(204)
  async deactivate(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    await this.members.deactivate(member, id);
  }

  @Answers(memberView)
  @Post(':id/reactivate')
  @RequireRole('administrator')
  @HttpCode(200)
  reactivate(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    return this.members.reactivate(member, id);
  }
}
