import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HUB_CONFIG } from '../common/config/config.js';
import type { HubConfig } from '../common/config/config.js';
import { DATABASE } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { DomainError } from '../common/errors/domain-error.js';

/** Mails the hub kept instead of sending (password reset codes), for trials and tests; off in production. */
@ApiTags('dev')
@Controller('api/dev/mailbox')
export class DevMailboxController {
  constructor(
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    @Inject(DATABASE) private readonly db: Db,
  ) {}

  @Get()
  async list() {
    if (this.config.production) throw new DomainError('not_found', 'not_found', 'The dev mailbox is off in production.');
    const mails = await this.db.outgoingMail.findMany({ orderBy: { createdAt: 'desc' }, take: 50 });
    return { items: mails.map((m) => ({ id: m.id, to: m.to, subject: m.subject, text: m.text, createdAt: m.createdAt })), nextCursor: null };
  }
}
