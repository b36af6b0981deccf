import { Controller, Get, Param, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../common/http/validation.js';
import { MediaService } from '../conversations/index.js';
import { AuthGuard, CurrentMember } from '../teams/index.js';
import type { AuthMember } from '../teams/index.js';
import { SendsAnswer } from '../common/http/answers.js';

const attachmentIndex = z.coerce.number().int().min(0).max(99);

@ApiTags('conversations')
@ApiBearerAuth()
@Controller('api/messages')
@UseGuards(AuthGuard)
export class MessagesController {
  constructor(private readonly media: MediaService) {}

  /** A file the customer sent, once the hub has fetched it from the provider. */
  @SendsAnswer({ '*/*': 'bytes' }, 'The file, with the content type the provider gave.')
  @Get(':id/attachments/:index')
  async attachment(@CurrentMember() member: AuthMember, @Param('id') id: string, @Param('index') index: string, @Res() reply: FastifyReply) {
    const file = await this.media.read(member, id, parseInput(attachmentIndex, index));
    // Never rendered as a page of ours: a customer's HTML file must not run in the inbox's origin, nor an SVG
    // (a document that runs script). The type is the provider's word, so compared without case or parameters.
    const type = file.contentType.split(';')[0].trim().toLowerCase();
    const inline = /^(image|video|audio)\//.test(type) && type !== 'image/svg+xml';
    const name = encodeURIComponent(file.name ?? `attachment-${index}`);
    return reply
      .header('content-type', file.contentType)
      .header('content-disposition', `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${name}`)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'private, max-age=86400')
      .send(file.data);
  }
}
