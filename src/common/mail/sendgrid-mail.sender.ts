import { Client } from '@sendgrid/client';
import { MailService } from '@sendgrid/mail';
import type { ClientRequest } from '@sendgrid/client/src/request.js';
import type { OutboundGuard } from '../outbound/index.js';
import type { MailTransport, SystemMail } from './mailer.js';

const REQUEST_TIMEOUT_MS = 15_000;

/**
 * The hub's mail through SendGrid's Mail Send (`HUB_SENDGRID_API_KEY`), with the official client. Its own client, not
 * the package's global one, which an email channel's sender might configure with another key.
 */
export class SendgridSystemMailSender implements MailTransport {
  readonly description = 'SendGrid';
  private readonly service = new MailService();

  constructor(apiKey: string, apiBaseUrl: string, private readonly from: string, guard: OutboundGuard) {
    const client = new Client();
    client.setApiKey(apiKey);
    client.setDefaultRequest('baseUrl', apiBaseUrl.replace(/\/+$/, ''));
    // HUB_SENDGRID_API_BASE_URL comes from configuration: through the outbound guard like every channel's API base.
    client.setDefaultRequest('httpsAgent', guard.httpsAgent);
    client.setDefaultRequest({ httpAgent: guard.httpAgent } as Partial<ClientRequest> as ClientRequest);
    this.service.setClient(client);
    this.service.setTimeout(REQUEST_TIMEOUT_MS);
  }

  async deliver(mail: SystemMail): Promise<void> {
    try {
      await this.service.send({ to: mail.to, from: this.from, subject: mail.subject, text: mail.text });
    } catch (error) {
      // The client's message is only "Bad Request"; the status and SendGrid's own words say what to fix.
      const { code, response } = error as { code?: number; response?: { body?: { errors?: { message?: string }[] } } };
      const detail = response?.body?.errors?.map((e) => e.message).join('; ');
      throw new Error(`SendGrid refused the mail${code ? ` (HTTP ${code})` : ''}${detail ? `: ${detail}` : ''}`, { cause: error });
    }
  }
}
