import type { Client } from '@sendgrid/client';
import type { ClientRequest } from '@sendgrid/client/src/request.js';
import type { MailService } from '@sendgrid/mail';
import { onDemand } from '../on-demand.js';
import type { OutboundGuard } from '../outbound/index.js';
import type { MailTransport, SystemMail } from './mailer.js';

const REQUEST_TIMEOUT_MS = 15_000;

/**
 * The hub's mail through SendGrid's Mail Send (`HUB_SENDGRID_API_KEY`), with the official client. Its own client, not
 * the package's global one, which an email channel's sender might configure with another key. The packages are
 * loaded with the first mail.
 */
export class SendgridSystemMailSender implements MailTransport {
  readonly description = 'SendGrid';
  private readonly service = onDemand(async () => {
    const [client, mail] = await Promise.all([import('@sendgrid/client'), import('@sendgrid/mail')]);
    // Each package's module.exports is its default instance with the class beside it; the typings declare the class
    // for static imports only.
    const { Client: SendgridClient } = client.default as unknown as { Client: typeof Client };
    const { MailService: SendgridMailService } = mail.default as unknown as { MailService: typeof MailService };
    const requests = new SendgridClient();
    requests.setApiKey(this.apiKey);
    requests.setDefaultRequest('baseUrl', this.apiBaseUrl.replace(/\/+$/, ''));
    // HUB_SENDGRID_API_BASE_URL comes from configuration: through the outbound guard like every channel's API base.
    requests.setDefaultRequest('httpsAgent', this.guard.httpsAgent);
    requests.setDefaultRequest({ httpAgent: this.guard.httpAgent } as Partial<ClientRequest> as ClientRequest);
    const service = new SendgridMailService();
    service.setClient(requests);
    service.setTimeout(REQUEST_TIMEOUT_MS);
    return service;
  });

  constructor(
    private readonly apiKey: string,
    private readonly apiBaseUrl: string,
    private readonly from: string,
    private readonly guard: OutboundGuard,
  ) {}

  async deliver(mail: SystemMail): Promise<void> {
    try {
      await (await this.service()).send({ to: mail.to, from: this.from, subject: mail.subject, text: mail.text });
    } catch (error) {
      // The client's message is only "Bad Request"; the status and SendGrid's own words say what to fix.
      const { code, response } = error as { code?: number; response?: { body?: { errors?: { message?: string }[] } } };
      const detail = response?.body?.errors?.map((e) => e.message).join('; ');
      throw new Error(`SendGrid refused the mail${code ? ` (HTTP ${code})` : ''}${detail ? `: ${detail}` : ''}`, { cause: error });
    }
  }
}
