import type { Transporter } from 'nodemailer';
import { onDemand } from '../on-demand.js';
import type { MailTransport, SystemMail } from './mailer.js';

// A relay that does not answer within these is retried later rather than holding a job worker.
const CONNECTION_TIMEOUT_MS = 15_000;
const SOCKET_TIMEOUT_MS = 30_000;

/** The hub's mail through the operator's SMTP relay (`HUB_SMTP_URL`), with Nodemailer, loaded with the first mail. */
export class SmtpMailSender implements MailTransport {
  readonly description: string;
  private opened: Transporter | null = null;
  private readonly transport = onDemand(async () => {
    const { createTransport } = await import('nodemailer');
    this.opened = createTransport({ url: this.url, connectionTimeout: CONNECTION_TIMEOUT_MS, greetingTimeout: CONNECTION_TIMEOUT_MS, socketTimeout: SOCKET_TIMEOUT_MS });
    return this.opened;
  });

  constructor(
    private readonly url: string,
    private readonly from: string,
  ) {
    const parsed = new URL(url);
    this.description = `SMTP ${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}`;
  }

  async deliver(mail: SystemMail): Promise<void> {
    await (await this.transport()).sendMail({ from: this.from, to: mail.to, subject: mail.subject, text: mail.text });
  }

  async close(): Promise<void> {
    this.opened?.close();
  }
}
