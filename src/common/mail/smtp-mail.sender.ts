import { createTransport } from 'nodemailer';
import type { MailTransport, SystemMail } from './mailer.js';

// A relay that does not answer within these is retried later rather than holding a job worker.
const CONNECTION_TIMEOUT_MS = 15_000;
const SOCKET_TIMEOUT_MS = 30_000;

/** The hub's mail through the operator's SMTP relay (`HUB_SMTP_URL`), with Nodemailer. */
export class SmtpMailSender implements MailTransport {
  readonly description: string;
  private readonly transport: ReturnType<typeof createTransport>;

  constructor(url: string, private readonly from: string) {
    const parsed = new URL(url);
    this.description = `SMTP ${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}`;
    this.transport = createTransport({ url, connectionTimeout: CONNECTION_TIMEOUT_MS, greetingTimeout: CONNECTION_TIMEOUT_MS, socketTimeout: SOCKET_TIMEOUT_MS });
  }

  async deliver(mail: SystemMail): Promise<void> {
    await this.transport.sendMail({ from: this.from, to: mail.to, subject: mail.subject, text: mail.text });
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
