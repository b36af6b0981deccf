import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { clientLimitKey } from '../common/http/client-address.js';
import { sendFile } from '../common/http/file-answer.js';
import { SendsAnswer } from '../common/http/answers.js';
import { parseInput } from '../common/http/validation.js';
import { ValidQuery } from '../common/http/zod-params.js';
import { RATE_LIMITER } from '../common/rate-limit/rate-limiter.js';
import type { RateLimit, RateLimiter } from '../common/rate-limit/rate-limiter.js';
import { MessageFilesService } from '../conversations/index.js';

const linkQuery = z.strictObject({
  expires: z.coerce.number().int().min(0).max(2 ** 40),
  signature: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'is not a signature'),
  variant: z.enum(['file', 'thumbnail']).default('file'),
});
const linkIndex = z.coerce.number().int().min(0).max(99);

/**
 * Per client address: a provider fetches each file once, a LINE user opens a few; more is someone trying signatures
 * (which a 256-bit HMAC makes pointless, but each try still reads the database).
 */
const FILE_LINKS_PER_ADDRESS: RateLimit = { name: 'files.link.address', points: 300, perSeconds: 60, what: 'file downloads from your network' };

/**
 * The bytes of a message's file for whoever holds its signed link: Twilio and LINE fetching the photo an agent sent,
 * a LINE customer opening a PDF, the widget showing a file. No sign-in: the link is the permission, and it expires.
 */
@ApiTags('files')
@Controller('files')
export class FileLinksController {
  constructor(
    private readonly files: MessageFilesService,
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiter,
  ) {}

  /** 403 `link_invalid` for a link not made by this hub or changed; 404 `link_expired` after its time. */
  @SendsAnswer({ '*/*': 'bytes' }, 'The file, with its content type; `Content-Disposition` names it.')
  @Get(':messageId/:index')
  async file(
    @Param('messageId') messageId: string,
    @Param('index') index: string,
    @ValidQuery(linkQuery) query: z.output<typeof linkQuery>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    await this.limiter.consume(FILE_LINKS_PER_ADDRESS, clientLimitKey(request.ip));
    const file = await this.files.readLinked({ messageId, index: parseInput(linkIndex, index), variant: query.variant }, query.expires, query.signature);
    // The shop's page shows the widget's files from another origin; the bytes are no secret to whoever holds the link.
    return sendFile(reply.header('access-control-allow-origin', '*').header('cross-origin-resource-policy', 'cross-origin'), file, 'private, max-age=3600');
  }
}
