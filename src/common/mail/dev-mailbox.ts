import type { Db } from '../database/database.js';
import { logger } from '../logging/logger.js';
import type { Mailer } from './mailer.js';

/**
 * Until an email channel sends the hub's own mail, outgoing mail is kept in the database and shown at
 * `GET /api/dev/mailbox` (outside production), so a trial install can still reset a password.
 */
export class DevMailbox implements Mailer {
  constructor(private readonly db: Db) {}

  async send(mail: { to: string; subject: string; text: string }): Promise<void> {
    const row = await this.db.outgoingMail.create({ data: mail });
    logger.info({ mailId: row.id }, 'mail kept in the dev mailbox');
  }

  async list(limit = 50) {
    return this.db.outgoingMail.findMany({ orderBy: { createdAt: 'desc' }, take: limit });
  }
}
