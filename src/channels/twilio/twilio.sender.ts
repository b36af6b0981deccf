import type twilio from 'twilio';
import type TwilioRequestClient from 'twilio/lib/base/RequestClient.js';
import { onDemand } from '../../common/on-demand.js';
import { outboundRefusal } from '../../common/outbound/index.js';
import type { OutboundGuard } from '../../common/outbound/index.js';
import type { OutboundMessage, SendResult } from '../channel-adapter.js';
import { httpsImageOf, productCardsAsText } from '../product-cards.js';
import { checkFailed, checkPassed, checkRefused, checkUnanswered } from '../channel-check.js';
import type { ChannelCheck } from '../channel-check.js';
import type { TwilioAccount } from './twilio.schema.js';
import { twilioFailure } from './twilio.errors.js';

type RequestOptions<TData> = TwilioRequestClient.RequestOptions<TData>;

const TWILIO_API = 'https://api.twilio.com';
/**
 * What a channel's `apiBaseUrl` may name: api.twilio.com, or a regional one, `api.<region>.twilio.com` and
 * `api.<edge>.<region>.twilio.com` (the hosts the SDK itself builds from its `region` and `edge` options).
 */
export const TWILIO_API_ORIGINS = [TWILIO_API, 'https://api.*.twilio.com', 'https://api.*.*.twilio.com'] as const;
const REQUEST_TIMEOUT_MS = 15_000;

/**
 * The SDK's HTTP client, sending to the channel's `apiBaseUrl` instead of api.twilio.com (a regional edge, or
 * the local fake the tests run), through the outbound guard's agents. The SDK builds absolute URIs itself, so the
 * origin is swapped per request. Made once the SDK is loaded (it extends the SDK's own client).
 */
function guardedRequestClient(sdk: typeof twilio) {
  return class GuardedRequestClient extends sdk.RequestClient {
    constructor(
      guard: OutboundGuard,
      private readonly baseUrl: string | undefined,
    ) {
      super({ timeout: REQUEST_TIMEOUT_MS, keepAlive: true });
      // The SDK builds its own https agent (and none for http); the guard's agents check every connection instead.
      this.axios.defaults.httpAgent = guard.httpAgent;
      this.axios.defaults.httpsAgent = guard.httpsAgent;
    }

    override request<TData>(options: RequestOptions<TData>) {
      const uri = this.baseUrl && options.uri.startsWith(TWILIO_API) ? this.baseUrl.replace(/\/+$/, '') + options.uri.slice(TWILIO_API.length) : options.uri;
      return super.request<TData>({ ...options, uri });
    }
  };
}

/** Twilio's SDK, loaded with the first message a Twilio channel sends. */
const twilioSdk = onDemand(async () => {
  const { default: sdk } = await import('twilio');
  return { sdk, GuardedRequestClient: guardedRequestClient(sdk) };
});

/** What an SMS or WhatsApp message says: the text, and product cards written out as lines with their links. */
export function twilioText(message: Pick<OutboundMessage, 'body' | 'products'>): string {
  return message.products?.length ? productCardsAsText(message.body, message.products) : message.body;
}

/** The only place that talks to Twilio's REST API. */
export class TwilioSender {
  private readonly clients = new Map<string, twilio.Twilio>();

  constructor(
    private readonly guard: OutboundGuard,
    private readonly statusCallbackUrl: (channelId: string) => string,
  ) {}

  async send(channel: TwilioAccount, message: OutboundMessage): Promise<SendResult> {
    const { settings } = channel;
    const whatsapp = channel.type === 'whatsapp';
    const to = whatsapp ? `whatsapp:${message.to.address}` : message.to.address;
    const from = settings.from && whatsapp && !settings.from.startsWith('whatsapp:') ? `whatsapp:${settings.from}` : settings.from;
    const mediaUrl = message.attachments.flatMap((a) => (a.url ? [a.url] : [])).slice(0, 10);
    // A WhatsApp message may carry one photo: with product cards and no file, the first product's (https) photo.
    const cardPhoto = whatsapp && mediaUrl.length === 0 ? (message.products ?? []).map(httpsImageOf).find(Boolean) : undefined;
    if (cardPhoto) mediaUrl.push(cardPhoto);
    try {
      const created = await (await this.client(channel)).messages.create({
        to,
        body: twilioText(message),
        ...(settings.messagingServiceSid ? { messagingServiceSid: settings.messagingServiceSid } : { from: from! }),
        ...(mediaUrl.length > 0 ? { mediaUrl } : {}),
        statusCallback: this.statusCallbackUrl(channel.id),
      });
      return { ok: true, providerMessageId: created.sid };
    } catch (error) {
      return failure(error);
    }
  }

  /**
   * The account itself (`accounts(sid).fetch()`): Twilio checks the SID and auth token before the path, so a wrong
   * token answers 401 (20003), and a token of another account 404 on this SID.
   */
  async check(channel: TwilioAccount): Promise<ChannelCheck> {
    const { accountSid } = channel.settings;
    try {
      const account = await (await this.client(channel)).api.v2010.accounts(accountSid).fetch();
      const name = account.friendlyName ?? accountSid;
      if (account.status && account.status !== 'active') {
        return checkFailed('account_inactive', `Twilio says the account ${name} is ${account.status}; reactivate it in the Twilio console.`);
      }
      return checkPassed(name, `Twilio accepts the Account SID and auth token of ${name}.`);
    } catch (error) {
      const status = (error as { status?: number }).status;
      const code = (error as { code?: number | string }).code;
      // An error without an HTTP status, or with a network code ('ECONNREFUSED'), never reached Twilio's API.
      if (status === undefined || typeof code === 'string') return checkUnanswered('Twilio', error);
      return checkRefused({ provider: 'Twilio', credentials: 'the Account SID and auth token', target: 'the Account SID' }, status, (error as Error).message);
    }
  }

  private async client(channel: TwilioAccount): Promise<twilio.Twilio> {
    const { sdk, GuardedRequestClient } = await twilioSdk();
    const { settings } = channel;
    const authToken = channel.secrets.authToken ?? '';
    const key = `${channel.id}:${settings.accountSid}:${authToken}:${settings.apiBaseUrl ?? ''}`;
    let client = this.clients.get(key);
    if (!client) {
      client = sdk(settings.accountSid, authToken, { httpClient: new GuardedRequestClient(this.guard, settings.apiBaseUrl) });
      this.clients.set(key, client);
    }
    return client;
  }
}

/**
 * 429 and 5xx (and no answer at all) are worth retrying; any other 4xx will fail the same way again, so it is
 * shown to the agent in words.
 */
function failure(error: unknown): SendResult {
  const refused = outboundRefusal(error);
  if (refused) return { ok: false, retry: false, code: refused.code, reason: refused.message };
  const status = (error as { status?: number }).status;
  const code = (error as { code?: number | string }).code;
  if (status === undefined || typeof code === 'string') {
    // Not a RestException: the request never got an HTTP answer (timeout, connection refused).
    return { ok: false, retry: true, code: 'provider_unreachable', reason: 'Twilio could not be reached; the message will be sent when it answers.' };
  }
  if (status === 429 || status >= 500 || code === 20429) {
    return { ok: false, retry: true, code: status === 429 || code === 20429 ? 'rate_limited' : 'provider_unavailable', reason: 'Twilio is unavailable for a moment; retrying.', details: { provider: 'twilio', status } };
  }
  const known = twilioFailure(code, (error as Error).message);
  return { ok: false, retry: !known.permanent, code: known.code, reason: known.reason, details: { ...known.details, status } };
}

// GSM 03.38: texts made only of these characters travel 160 to a segment (153 when split); anything else
// (Japanese, emoji) makes the whole text UCS-2: 70 to a segment (67 when split), counted in UTF-16 units.
const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM_EXTENDED = new Set('^{}\\[~]|€\f');

/** How many SMS segments a text costs: what Twilio's throughput limit counts. */
export function smsSegments(text: string): number {
  if (text.length === 0) return 1;
  let septets = 0;
  let gsm = true;
  for (const char of text) {
    if (GSM_BASIC.has(char)) septets += 1;
    else if (GSM_EXTENDED.has(char)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (gsm) return septets <= 160 ? 1 : Math.ceil(septets / 153);
  return text.length <= 70 ? 1 : Math.ceil(text.length / 67);
}
