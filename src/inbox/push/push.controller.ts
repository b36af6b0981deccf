import { Controller, Delete, Get, HttpCode, Param, Patch, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { Answers } from '../../common/http/answers.js';
import { ValidBody } from '../../common/http/zod-params.js';
import { AuthGuard, CurrentMember } from '../../teams/index.js';
import type { AuthMember } from '../../teams/index.js';
import { pushSettingsBody, pushSettingsView, pushStateView, pushSubscriptionBody, pushSubscriptionView } from './push.schema.js';
import { PushSubscriptionsService } from './push-subscriptions.service.js';

/** The signed-in member's Web Push: the hub's public key, their devices' subscriptions, and which news is pushed. */
@ApiTags('push')
@ApiBearerAuth()
@Controller('api/push')
@UseGuards(AuthGuard)
export class PushController {
  constructor(private readonly subscriptions: PushSubscriptionsService) {}

  @Answers(pushStateView)
  @Get()
  state(@CurrentMember() member: AuthMember) {
    return this.subscriptions.state(member);
  }

  /** The browser's `PushSubscription.toJSON()` and the inbox's language; registering the same endpoint again updates it. */
  @Answers(pushSubscriptionView)
  @Post('subscriptions')
  @HttpCode(201)
  register(@CurrentMember() member: AuthMember, @ValidBody(pushSubscriptionBody) body: z.output<typeof pushSubscriptionBody>, @Req() request: FastifyRequest) {
    return this.subscriptions.register(member, body, request.headers['user-agent']);
  }

  /** The member's own subscription only: another's is not found. */
  @Delete('subscriptions/:id')
  @HttpCode(204)
  async remove(@CurrentMember() member: AuthMember, @Param('id') id: string): Promise<void> {
    await this.subscriptions.remove(member, id);
  }

  @Answers(pushSettingsView)
  @Patch('settings')
  @HttpCode(200)
  settings(@CurrentMember() member: AuthMember, @ValidBody(pushSettingsBody) body: z.output<typeof pushSettingsBody>) {
    return this.subscriptions.updateSettings(member, body);
  }
}
