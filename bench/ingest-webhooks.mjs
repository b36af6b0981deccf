// The signed webhooks of the ingest benchmark, as each provider sends them, and the secrets both the hub's channels
// and the baseline check them with. Shared by the load generator (bench/ingest.mjs) and the baseline server
// (bench/ingest-baseline.mjs), so both sides sign and verify the same bytes.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const PUBLIC_URL = 'https://hub.bench.test';
export const ACCOUNT_SID = 'AC' + 'b'.repeat(32);
export const AUTH_TOKEN = 'bench-twilio-auth-token';
export const LINE_SECRET = 'bench-line-channel-secret';
export const INBOUND_TOKEN = 'bench-sendgrid-inbound-token';
export const WHATSAPP_SECRET = 'bench-whatsapp-app-secret';
export const WHATSAPP_NUMBER_ID = '106540352242922';
export const PROVIDERS = ['twilio', 'line', 'whatsapp', 'sendgrid'];

export function twilioSignature(url, params) {
  const data = Object.keys(params)
    .sort()
    .reduce((text, key) => text + key + params[key], url);
  return createHmac('sha1', AUTH_TOKEN).update(data).digest('base64');
}

export function lineSignature(raw) {
  return createHmac('sha256', LINE_SECRET).update(raw).digest('base64');
}

export function whatsappSignature(raw) {
  return `sha256=${createHmac('sha256', WHATSAPP_SECRET).update(raw).digest('hex')}`;
}

/** Constant-time comparison of a signature header with the expected one, as the providers' own libraries do. */
export function sameSignature(given, expected) {
  const a = Buffer.from(String(given ?? ''));
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The i-th webhook of a run for `provider`, posted to `path`: `{ path, body, headers, tags }`, where `tags` are the
 * texts of the messages it carries (each unique, so the agent's event finds its webhook). Senders repeat every
 * `senders` webhooks, so a run both creates contacts and conversations and finds existing ones.
 */
export function webhook(provider, i, { path, run, senders, whatsappBatch }) {
  const tag = `bench-${run}-${i}-${randomBytes(4).toString('hex')}`;
  const sender = i % senders;
  switch (provider) {
    case 'twilio': {
      const params = { MessageSid: `SM${randomBytes(16).toString('hex')}`, AccountSid: ACCOUNT_SID, From: `+8190${String(sender).padStart(8, '0')}`, To: '+15005550006', Body: tag, NumMedia: '0' };
      const body = new URLSearchParams(params).toString();
      return { path, body, tags: [tag], headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(PUBLIC_URL + path, params) } };
    }
    case 'line': {
      const body = JSON.stringify({
        destination: 'U' + '0'.repeat(32),
        events: [
          {
            type: 'message',
            mode: 'active',
            timestamp: Date.now(),
            webhookEventId: `01${randomBytes(12).toString('hex').toUpperCase()}`,
            deliveryContext: { isRedelivery: false },
            source: { type: 'user', userId: `U${String(sender).padStart(32, '0')}` },
            replyToken: randomBytes(16).toString('hex'),
            message: { id: String(randomBytes(6).readUIntBE(0, 6)), type: 'text', text: tag, quoteToken: 'q' },
          },
        ],
      });
      return { path, body, tags: [tag], headers: { 'content-type': 'application/json', 'x-line-signature': lineSignature(body) } };
    }
    case 'whatsapp': {
      // Meta may batch several messages of one customer in one webhook; each is stored and reaches the agent.
      const from = `8190${String(sender).padStart(8, '0')}`;
      const tags = Array.from({ length: whatsappBatch }, (_, k) => (k === 0 ? tag : `${tag}/${k}`));
      const messages = tags.map((text) => ({ from, id: `wamid.bench-${randomBytes(12).toString('hex')}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: text } }));
      const body = JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [{ id: '419561257915477', changes: [{ value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: WHATSAPP_NUMBER_ID }, contacts: [{ profile: { name: 'Bench' }, wa_id: from }], messages }, field: 'messages' }] }],
      });
      return { path, body, tags, headers: { 'content-type': 'application/json', 'x-hub-signature-256': whatsappSignature(body) } };
    }
    case 'sendgrid': {
      // SendGrid's Inbound Parse (default mode): multipart fields, the token in the URL.
      const from = `customer${sender}@example.jp`;
      const fields = {
        headers: `Message-ID: <${tag}@example.jp>\r\nFrom: ${from}\r\nTo: support@shop.example.jp\r\nSubject: order ${i}`,
        from,
        to: 'support@shop.example.jp',
        subject: `order ${i}`,
        text: `${tag}\r\n`,
        html: `<p>${tag}</p>`,
        envelope: JSON.stringify({ to: ['support@shop.example.jp'], from }),
        charsets: '{"to":"UTF-8","subject":"UTF-8","from":"UTF-8","text":"UTF-8","html":"UTF-8"}',
        SPF: 'pass',
      };
      const body = Object.entries(fields).map(([name, value]) => `--xYzZY\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`).join('') + '--xYzZY--\r\n';
      return { path: `${path}?token=${INBOUND_TOKEN}`, body, tags: [tag], headers: { 'content-type': 'multipart/form-data; boundary=xYzZY' } };
    }
    default:
      throw new Error(`unknown provider ${provider} (one of ${PROVIDERS.join(', ')})`);
  }
}
