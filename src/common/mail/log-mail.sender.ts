import type { Logger } from '../logging/logger.js';
import type { MailTransport, SystemMail } from './mailer.js';

/**
 * With no transport configured (a trial on a laptop), each mail is written to the hub's log, so whoever runs the hub
 * can still read a reset code in its terminal; nothing is ever served over HTTP.
 */
export class LogMailSender implements MailTransport {
  readonly description = 'the log';

  constructor(private readonly logger: Logger) {}

  async deliver(mail: SystemMail): Promise<void> {
    // The deliberate exception to "no addresses or message text in logs at info level": with no transport the log
    // is the mailbox, and the operator must be able to read it at the default level.
    this.logger.info({ to: mail.to, subject: mail.subject, text: mail.text }, 'system mail (no mail transport configured: set HUB_SMTP_URL or HUB_SENDGRID_API_KEY)');
  }
}
