import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { signWhatsAppBody, startWhatsAppCloudFake } from '../fakes/whatsapp-cloud-fake.js';
import type { WhatsAppCloudFake } from '../fakes/whatsapp-cloud-fake.js';
import { eventually } from '../support/eventually.js';
import { TestHub, TestMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';

const APP_SECRET = 'whatsapp-app-secret';
const ACCESS_TOKEN = 'whatsapp-cloud-access-token';
const PHONE_NUMBER_ID = '106540352242922';

/** The directives of a Content-Security-Policy header, by name. */
function directives(header: string | undefined): Record<string, string[]> {
  return Object.fromEntries(
    (header ?? '')
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...values]) => [name.toLowerCase(), values]),
  );
}

describe('Security headers', () => {
  let hub: TestHub;
  let admin: TestMember;
  let graph: WhatsAppCloudFake;

  beforeAll(async () => {
    graph = await startWhatsAppCloudFake({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
    hub = await startTestHub();
    admin = (await createTeam(hub)).admin;
    await createWebchat(hub, admin);
  });

  afterAll(async () => {
    await hub?.stop();
    await graph?.close();
  });

  // Cross-site scripting in the inbox (a customer's text that slips through rendering) and clickjacking (the inbox
  // framed by another site, an agent tricked into clicking): no inline or foreign script runs, nobody frames it.
  it.each(['/app', '/app/conversations/0190f0f0-0000-7000-8000-000000000001'])('gives %s a strict policy and forbids framing', async (path) => {
    const response = await hub.http.get(path).expect(200);
    const csp = directives(response.headers['content-security-policy']);
    // 'wasm-unsafe-eval' compiles the barcode reader's WebAssembly; 'unsafe-eval' (JavaScript's eval) stays out.
    expect(csp['script-src']).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(csp['object-src']).toEqual(["'none'"]);
    expect(csp['base-uri']).toEqual(["'none'"]);
    expect(csp['frame-ancestors']).toEqual(["'none'"]);
    expect(csp['default-src']).toEqual(["'self'"]);
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    // The page itself has no inline script for the policy to break: every script is a file.
    const scripts = [...response.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc=/);
      expect(body.trim()).toBe('');
    }
  });

  // The demo shop page: no inline script either, and styles as its own <style> and the widget's shadow root need.
  it('gives /demo a policy without inline script, that the widget still runs under', async () => {
    const response = await hub.http.get('/demo').expect(200);
    const csp = directives(response.headers['content-security-policy']);
    expect(csp['script-src']).toEqual(["'self'"]);
    expect(csp['style-src']).toEqual(["'self'", "'unsafe-inline'"]);
    expect(csp['connect-src']).toContain("'self'");
    expect(csp['object-src']).toEqual(["'none'"]);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    for (const [, attributes] of response.text.matchAll(/<script\b([^>]*)>/g)) expect(attributes).toMatch(/\bsrc="\/widget\.js"/);
  });

  // Shops embed the widget on their own pages (and may frame them): the script must not carry the inbox's policy.
  it('serves /widget.js to any site, without a framing ban', async () => {
    const response = await hub.http.get('/widget.js').expect(200);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['access-control-allow-origin']).toBe('*');
    expect(response.headers['x-frame-options']).toBeUndefined();
    expect(directives(response.headers['content-security-policy'])['frame-ancestors']).toBeUndefined();
  });

  // MIME sniffing: an API answer or an error page read as HTML or script by an old browser.
  it('marks API answers nosniff', async () => {
    const response = await hub.http.get('/api/channels').set(admin.auth).expect(200);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
  });

  // Stored XSS through a customer's file: an SVG is a document that runs script; opened inline from the hub's
  // origin it would run with the agent's session. It is a download, whatever case or parameters its type has.
  describe('attachments', () => {
    let channelId: string;

    beforeAll(async () => {
      channelId = (
        await hub.http
          .post('/api/channels')
          .set(admin.auth)
          .send({ type: 'whatsapp', provider: 'whatsapp-cloud', name: 'WhatsApp', config: { accessToken: ACCESS_TOKEN, appSecret: APP_SECRET, verifyToken: 'verify-token-1', phoneNumberId: PHONE_NUMBER_ID, apiBaseUrl: graph.apiBaseUrl } })
          .expect(201)
      ).body.id;
    });

    async function attachmentOf(mimeType: string, content: Buffer): Promise<string> {
      const mediaId = `${Date.now()}${randomBytes(3).readUIntBE(0, 3)}`;
      graph.setMedia(mediaId, content, mimeType);
      const wamid = `wamid.${randomBytes(12).toString('base64url')}`;
      const body = JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [
          {
            id: '419561257915477',
            changes: [
              {
                field: 'messages',
                value: {
                  messaging_product: 'whatsapp',
                  metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_NUMBER_ID },
                  contacts: [{ profile: { name: 'Sheena Nelson' }, wa_id: '16505551234' }],
                  messages: [{ from: '16505551234', id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), type: 'document', document: { mime_type: mimeType, id: mediaId, filename: 'file' } }],
                },
              },
            ],
          },
        ],
      });
      await hub.http.post(`/webhooks/whatsapp/${channelId}`).set('content-type', 'application/json').set('x-hub-signature-256', signWhatsAppBody(APP_SECRET, body)).send(body).expect(200);
      const message = await eventually(
        () => hub.infra.db.message.findFirst({ where: { channelId, providerMessageId: wamid } }),
        (m) => Boolean((m?.attachments as { url?: string }[] | undefined)?.[0]?.url),
      );
      return (message!.attachments as { url: string }[])[0].url;
    }

    it.each(['image/svg+xml', 'IMAGE/SVG+XML; charset=utf-8'])('serves %s as a download, never inline', async (type) => {
      const url = await attachmentOf(type, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'));
      const response = await hub.http.get(url).set(admin.auth).expect(200);
      expect(response.headers['content-disposition']).toMatch(/^attachment;/);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    });

    it('still shows a picture inline', async () => {
      const url = await attachmentOf('image/png', Buffer.from('89504e470d0a1a0a', 'hex'));
      const response = await hub.http.get(url).set(admin.auth).expect(200);
      expect(response.headers['content-disposition']).toMatch(/^inline;/);
    });
  });
});
