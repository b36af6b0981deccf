// The providers' APIs as far as the hub calls them while it takes inbound messages: an away reply sent through
// Twilio, LINE or WhatsApp Cloud (or SendGrid), a LINE customer's profile for naming a new contact. Each answers
// at once with a success shaped like the provider's, so this follow-up work costs the hub what it costs against a
// real provider, instead of failed calls and their retries. Nothing is checked or recorded: test/fakes/ does that.
import { randomBytes } from 'node:crypto';
import http from 'node:http';

const TWILIO_MESSAGES = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;
const LINE_PROFILE = /^\/v2\/bot\/profile\/([^/]+)$/;
const LINE_GROUP = /^\/v2\/bot\/group\/([^/]+)\/summary$/;
const WHATSAPP_MESSAGES = /^\/v[\d.]+\/(\d+)\/messages$/;

function answer(method, path, body) {
  let match;
  if (method === 'POST' && (match = TWILIO_MESSAGES.exec(path))) {
    const form = new URLSearchParams(body);
    const sid = `SM${randomBytes(16).toString('hex')}`;
    const now = new Date().toUTCString().replace('GMT', '+0000');
    return ['twilio send', 201, { account_sid: match[1], api_version: '2010-04-01', body: form.get('Body') ?? '', date_created: now, date_sent: now, date_updated: now, direction: 'outbound-api', error_code: null, error_message: null, from: form.get('From'), messaging_service_sid: form.get('MessagingServiceSid'), num_media: '0', num_segments: '1', price: null, price_unit: null, sid, status: 'queued', subresource_uris: { media: `/2010-04-01/Accounts/${match[1]}/Messages/${sid}/Media.json` }, to: form.get('To'), uri: `/2010-04-01/Accounts/${match[1]}/Messages/${sid}.json` }];
  }
  if (method === 'POST' && (path === '/v2/bot/message/reply' || path === '/v2/bot/message/push')) {
    const messages = JSON.parse(body || '{}').messages ?? [];
    return ['line send', 200, { sentMessages: messages.map(() => ({ id: String(randomBytes(6).readUIntBE(0, 6)), quoteToken: randomBytes(8).toString('hex') })) }];
  }
  if (method === 'GET' && (match = LINE_PROFILE.exec(path))) return ['line profile', 200, { userId: match[1], displayName: 'ベンチ顧客', language: 'ja' }];
  if (method === 'GET' && (match = LINE_GROUP.exec(path))) return ['line group', 200, { groupId: match[1], groupName: 'ベンチ', pictureUrl: null }];
  if (method === 'POST' && (match = WHATSAPP_MESSAGES.exec(path))) {
    const to = String(JSON.parse(body || '{}').to ?? '');
    return ['whatsapp send', 200, { messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: to.replace(/^\+/, '') }], messages: [{ id: `wamid.${randomBytes(12).toString('hex')}` }] }];
  }
  if (method === 'POST' && path === '/v3/mail/send') return ['sendgrid send', 202, null, { 'x-message-id': randomBytes(11).toString('base64url') }];
  return ['unknown', 404, { message: `no such route ${method} ${path}` }];
}

/** Starts the fake on a loopback port: `{ url, calls, close() }`, `calls` counting the calls by kind. */
export async function startProviderEdge() {
  const calls = {};
  const server = http.createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const [call, status, json, headers = {}] = answer(request.method, new URL(request.url, 'http://edge').pathname, body);
      calls[call] = (calls[call] ?? 0) + 1;
      response.writeHead(status, { ...headers, 'x-line-request-id': randomBytes(8).toString('hex'), ...(json ? { 'content-type': 'application/json' } : {}) });
      response.end(json ? JSON.stringify(json) : undefined);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    calls,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
