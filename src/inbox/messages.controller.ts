import { Controller, Get, Param, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../common/http/validation.js';
import { ValidQuery } from '../common/http/zod-params.js';
import { sendFile } from '../common/http/file-answer.js';
import { MediaService } from '../conversations/index.js';
import { AuthGuard, CurrentMember } from '../teams/index.js';
import type { AuthMember } from '../teams/index.js';
import { SendsAnswer } from '../common/http/answers.js';

const attachmentIndex = z.coerce.number().int().min(0).max(99);
const variantQuery = z.strictObject({ variant: z.enum(['file', 'thumbnail']).default('file') });

@ApiTags('conversations')
@ApiBearerAuth()
@Controller('api/messages')
@UseGuards(AuthGuard)
export class MessagesController {
  constructor(private readonly media: MediaService) {}

  /**
   * A file of a message: one the customer sent (once the hub has fetched it from the provider) or an agent's.
   * `variant=thumbnail`: the small JPEG of an image or video the hub made when it was uploaded.
   */
  @SendsAnswer({ '*/*': 'bytes' }, 'The file, with its content type.')
  @Get(':id/attachments/:index')
  async attachment(
    @CurrentMember() member: AuthMember,
    @Param('id') id: string,
    @Param('index') index: string,
    @ValidQuery(variantQuery) query: z.output<typeof variantQuery>,
    @Res() reply: FastifyReply,
  ) {
    const file = await this.media.read(member, id, parseInput(attachmentIndex, index), query.variant);
    return sendFile(reply, { ...file, name: file.name ?? `attachment-${index}` }, 'private, max-age=86400');
  }
}
