import { Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ValidQuery } from '../common/http/zod-params.js';
import { Answers } from '../common/http/answers.js';
import { inboxStoredNotificationView } from '../common/realtime/events/index.js';
import { AuthGuard, CurrentMember } from '../teams/index.js';
import type { AuthMember } from '../teams/index.js';
import { NotificationsService } from './notifications.service.js';

const notificationListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(30),
  cursor: z.string().max(64).optional(),
});

const notificationListView = z.object({ items: z.array(inboxStoredNotificationView), unread: z.number(), nextCursor: z.string().nullable() });

/** The signed-in member's bell: only their own notifications, ever. */
@ApiTags('notifications')
@ApiBearerAuth()
@Controller('api/notifications')
@UseGuards(AuthGuard)
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Answers(notificationListView)
  @Get()
  list(@CurrentMember() member: AuthMember, @ValidQuery(notificationListQuery) query: z.output<typeof notificationListQuery>) {
    return this.notifications.list(member, query);
  }

  @Answers(inboxStoredNotificationView)
  @Post(':id/read')
  @HttpCode(200)
  read(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    return this.notifications.markRead(member, id);
  }
}
