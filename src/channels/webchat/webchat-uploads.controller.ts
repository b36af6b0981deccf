import { Controller, HttpCode, Inject, Options, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { CLOCK } from '../../common/clock.js';
import type { Clock } from '../../common/clock.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { prepareFile, readUpload } from '../../common/files/index.js';
import { Answers } from '../../common/http/answers.js';
import { clientLimitKey } from '../../common/http/client-address.js';
import { TeamsService } from '../../teams/index.js';
import { ChannelsService } from '../channels.service.js';
import { ChannelInbound } from '../inbound-port.js';
import { WebchatVisitors } from '../visitor-port.js';
import { verifyWidgetOrigin } from './webchat.verifier.js';
import { visitorIdSchema } from './webchat.schema.js';
import { WidgetLimitsService } from './widget-limits.service.js';

/** What a visitor's upload answers: the message it made, in the visitor's conversation. */
const widgetUploadView = z.object({ conversationId: z.string().nullable(), id: z.string().nullable() }).meta({ id: 'WidgetUpload' });

/**
 * A web visitor's file (a photo of a receipt, a PDF), over HTTP rather than the widget's socket: a socket frame is no
 * place for megabytes. The visitor id the widget keeps is the sign-in, as it is on the socket; the file becomes a
 * message of theirs like any provider's media. The team's settings decide the size (10 MB unless set) and the kinds
 * (images and PDF unless set); the bytes decide the type.
 */
@ApiTags('widget')
@Controller('api/widget')
export class WebchatUploadsController {
  constructor(
    private readonly channels: ChannelsService,
    private readonly limits: WidgetLimitsService,
    private readonly teams: TeamsService,
    private readonly inbound: ChannelInbound,
    private readonly visitors: WebchatVisitors,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * `multipart/form-data` with `visitorId` (first) and `file`. 422 `file_too_large`, `file_type_not_allowed`; 429 as
   * a message would be; 403 `chat_unavailable` for a blocked visitor.
   */
  @Answers(widgetUploadView)
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', required: ['visitorId', 'file'], properties: { visitorId: { type: 'string' }, file: { type: 'string', format: 'binary' } } } })
  @Post(':channelId/uploads')
  async upload(@Param('channelId') channelId: string, @Req() request: FastifyRequest & { rawBody?: Buffer }, @Res({ passthrough: true }) reply: FastifyReply) {
    const channel = verifyWidgetOrigin(await this.channels.account(channelId), request.headers.origin);
    allowOrigin(reply, request.headers.origin);
    const settings = (await this.teams.profile(channel.teamId))?.settings.uploads;
    if (!settings) throw new DomainError('not_found', 'not_found', 'The channel was not found.');
    const upload = await readUpload(request.rawBody, request.headers['content-type'], settings.maxBytes);
    const visitorId = visitorIdSchema.safeParse(upload.fields.visitorId);
    if (!visitorId.success) throw new DomainError('unauthenticated', 'visitor_unknown', 'The upload names no visitor of this chat.', [{ field: 'visitorId', message: 'is required' }]);
    // Counted as a message: a file is one, and the same budget keeps a loop of uploads from filling the disk.
    await this.limits.message(channel, visitorId.data, clientLimitKey(request.ip));
    if (await this.visitors.target.isBlocked(channel, { kind: 'visitor', address: visitorId.data })) {
      throw new DomainError('forbidden', 'chat_unavailable', 'Chat is not available right now.');
    }
    const file = await prepareFile(upload.data, upload.name, settings.visitorTypes);
    const key = `${visitorId.data}:upload:${randomUUID()}`;
    const [outcome] = await this.inbound.target.ingest(channel, [
      {
        type: 'message',
        eventKey: key,
        providerMessageId: key,
        from: { kind: 'visitor', address: visitorId.data },
        body: '',
        attachments: [{ data: file.data, contentType: file.contentType, name: file.name, size: file.size, kind: file.kind }],
        occurredAt: this.clock.now(),
      },
    ]);
    return { conversationId: outcome.conversationId ?? null, id: outcome.messageId ?? null };
  }

  /** The browser's preflight, should the page add a header of its own. */
  @Options(':channelId/uploads')
  @HttpCode(204)
  async preflight(@Param('channelId') channelId: string, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    verifyWidgetOrigin(await this.channels.account(channelId), request.headers.origin);
    allowOrigin(reply, request.headers.origin);
    reply.header('access-control-allow-methods', 'POST').header('access-control-max-age', '600');
  }
}

function allowOrigin(reply: FastifyReply, origin: string | undefined): void {
  if (origin) reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
}

