import { v7 as uuidv7 } from 'uuid';
import type { MailConfig } from '../config/config.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../database/database.js';
import type { JobQueue } from '../jobs/index.js';
import type { OutboundGuard } from '../outbound/index.js';
import { logger } from '../logging/logger.js';
import type { ResumableWork, ResumableWorkRegistry } from '../start/resumable-work.js';
import { LogMailSender } from './log-mail.sender.js';
import type { Mailer, MailTransport, SystemMail } from './mailer.js';
import { SendgridSystemMailSender } from './sendgrid-mail.sender.js';
import { SmtpMailSender } from './smtp-mail.sender.js';

const JOB = 'system-mail';
/** 1 s, 2 s, 4 s ... about 17 minutes in all: a reset code is good for 15, a relay's restart is shorter. */
const ATTEMPTS = 11;
const BACKOFF_MS = 1_000;

/**
 * The hub's own mail, kept in `system_mails` until the transport has taken it (the row is the truth; the job only
 * says "try now"). The row is sealed because a reset code in it is still good, and deleted once the mail is sent.
 */
export class SystemMailService implements Mailer, ResumableWork {
  readonly name = 'unsent system mail';

  constructor(
    private readonly db: Db,
    private readonly jobs: JobQueue,
    private readonly box: SecretBox,
    readonly transport: MailTransport,
    resumable: ResumableWorkRegistry,
  ) {
    resumable.register(this);
    jobs.register<{ mailId: string }>(JOB, ({ mailId }, job) => this.deliver(mailId, job.attempt), { concurrency: 2 });
  }

  async send(mail: SystemMail): Promise<void> {
    // Written with the root client, not a caller's transaction: the mail is kept even if nothing else is.
    // The id is chosen here so that the sealed mail is bound to its own row (it cannot be moved to another).
    const id = uuidv7();
    const row = await this.db.systemMail.create({ data: { id, sealed: this.box.seal(mail, `system-mail:${id}`) } });
    await this.enqueue(row.id);
  }

  /** Mails left over from before a restart (or whose retries ran out) are tried again. */
  async resume(): Promise<number> {
    const rows = await this.db.systemMail.findMany({ select: { id: true }, orderBy: { createdAt: 'asc' } });
    for (const row of rows) await this.enqueue(row.id);
    return rows.length;
  }

  private enqueue(mailId: string): Promise<void> {
    return this.jobs.add(JOB, { mailId }, { jobId: mailId, attempts: ATTEMPTS, backoffMs: BACKOFF_MS });
  }

  private async deliver(mailId: string, attempt: number): Promise<void> {
    const row = await this.db.systemMail.findUnique({ where: { id: mailId } });
    if (!row) return; // sent by an earlier run of this job
    try {
      await this.transport.deliver(this.box.open<SystemMail>(row.sealed, `system-mail:${row.id}`));
    } catch (error) {
      logger.warn({ mailId, attempt, of: ATTEMPTS, reason: error instanceof Error ? error.message : String(error) }, `system mail not taken by ${this.transport.description}; retrying`);
      throw error;
    }
    await this.db.systemMail.deleteMany({ where: { id: mailId } });
    logger.info({ mailId, via: this.transport.description }, 'system mail sent');
  }
}

/** The transport the operator configured; the log when none. */
export function transportFor(config: MailConfig, guard: OutboundGuard): MailTransport {
  switch (config.transport) {
    case 'smtp':
      return new SmtpMailSender(config.url, config.from);
    case 'sendgrid':
      return new SendgridSystemMailSender(config.apiKey, config.apiBaseUrl, config.from, guard);
    case 'log':
      return new LogMailSender(logger);
  }
}
