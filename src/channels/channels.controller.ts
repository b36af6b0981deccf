import { Controller, Delete, Get, HttpCode, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ValidBody } from '../common/http/zod-params.js';
import { AuthGuard, CurrentMember, RequireRole } from '../teams/index.js';
import type { AuthMember } from '../teams/index.js';
import { ChannelsService } from './channels.service.js';
import { channelCheckView, channelGroupListView, channelListView, channelPairingView, channelView, createChannelBody, updateChannelBody } from './channels.schema.js';
import { Answers } from '../common/http/answers.js';

@ApiTags('channels')
@ApiBearerAuth()
@Controller('api/channels')
@UseGuards(AuthGuard)
export class ChannelsController {
  constructor(private readonly channels: ChannelsService) {}

  @Answers(channelView)
  @Post()
  @RequireRole('administrator')
  create(@CurrentMember() member: AuthMember, @ValidBody(createChannelBody) body: z.output<typeof createChannelBody>) {
    return this.channels.create(member.teamId, body);
  }

  // Agents see which channels exist (the inbox shows them); only administrators change them.
  @Answers(channelListView)
  @Get()
  async list(@CurrentMember() member: AuthMember) {
    return { items: await this.channels.list(member.teamId), nextCursor: null };
  }

  @Answers(channelView)
  @Get(':id')
  get(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    return this.channels.get(member.teamId, id);
  }

  /** The LINE groups and rooms the channel's bot is in (or was): where reports can be posted. */
  @Answers(channelGroupListView)
  @Get(':id/groups')
  async groups(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    return { items: await this.channels.groups(member.teamId, id) };
  }

  /**
   * A WhatsApp Web channel's state (starting, pairing, ready, disconnected) and, while it waits for a scan, the
   * QR code to scan with the shop's phone (WhatsApp > Linked devices), as text and as a PNG data URL.
   */
  @Answers(channelPairingView)
  @Get(':id/pairing')
  @RequireRole('administrator')
  pairing(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    return this.channels.pairing(member.teamId, id);
  }

  /**
   * Asks the provider whether the channel's stored credentials work (LINE's bot info, Twilio's account, SendGrid's
   * key scopes, the Graph API's phone number; WhatsApp Web: paired or not; web chat: nothing to ask). Always 200
   * when the channel exists: a refused credential is an answer (`ok: false` and its `code`), not an error.
   */
  @Answers(channelCheckView)
  @Post(':id/check')
  @RequireRole('administrator')
  @HttpCode(200)
  check(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    return this.channels.check(member.teamId, id);
  }

  @Answers(channelView)
  @Patch(':id')
  @RequireRole('administrator')
  update(@CurrentMember() member: AuthMember, @Param('id') id: string, @ValidBody(updateChannelBody) body: z.output<typeof updateChannelBody>) {
    return this.channels.update(member.teamId, id, body);
  }

  @Delete(':id')
  @RequireRole('administrator')
  @HttpCode(204)
  remove(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    return this.channels.remove(member.teamId, id);
  }
}
