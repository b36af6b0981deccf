import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ModulesContainer } from '@nestjs/core';
import { GATEWAY_METADATA, GATEWAY_OPTIONS, MESSAGE_MAPPING_METADATA, MESSAGE_METADATA } from '@nestjs/websockets/constants.js';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import type { Socket } from 'socket.io-client';
import { WHATSAPP_WEB_RUNTIME } from '../../src/channels/index.js';
import { signLineBody, startLineFake } from '../fakes/line-fake.js';
import type { LineFake } from '../fakes/line-fake.js';
import { makeSubscriptionKeys } from '../fakes/push-service-fake.js';
import { startSendgridFake } from '../fakes/sendgrid-fake.js';
import type { SendgridFake } from '../fakes/sendgrid-fake.js';
import { startTwilioFake } from '../fakes/twilio-fake.js';
import type { TwilioFake } from '../fakes/twilio-fake.js';
import { startWhatsAppCloudFake } from '../fakes/whatsapp-cloud-fake.js';
import type { WhatsAppCloudFake } from '../fakes/whatsapp-cloud-fake.js';
import { fakeWhatsAppWebRuntime } from '../fakes/whatsapp-web-fake.js';
import { eventually } from '../support/eventually.js';
import { collect, emitWithAck, nextEvent, sessionOf, socketPool } from '../support/sockets.js';
import { TestHub, TestMember, addMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';

const LINE_TOKEN = 'line-channel-access-token';
const LINE_SECRET = 'line-channel-secret';
const SENDGRID_KEY = 'SG.cross-team-key-0123456789abcdef';
const TWILIO = { accountSid: 'AC' + 'c'.repeat(32), authToken: 'twilio-auth-token-0123456789' };
const WA_CLOUD = { accessToken: 'wa-cloud-token', appSecret: 'wa-cloud-secret', verifyToken: 'wa-verify', phoneNumberId: '1098765432' };
/** A 1x1 PNG: the smallest image the upload route takes. */
const PHOTO = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
/** The title of the ticket B makes while A's socket listens. */
const LIVE_TICKET = 'B live ticket';
const LINE_FIXTURES = join(process.cwd(), 'test', 'fixtures', 'providers', 'line');

/** Team B's resources, one of each kind a route can name. */
interface Victim {
  admin: TestMember;
  conversation: string;
  lineConversation: string;
  contact: string;
  /** A contact merged into another: the merge is what `merges/:mergeId/undo` names. */
  merge: string;
  mergedInto: string;
  message: string;
  /** A LINE customer's file, fetched by the hub: `attachments/0` exists. */
  attachmentMessage: string;
  draft: string;
  channels: Record<'webchat' | 'line' | 'email' | 'sms' | 'whatsappCloud' | 'whatsappWeb', string>;
  member: string;
  group: string;
  category: string;
  cannedReply: string;
  apiKey: string;
  sale: string;
  report: string;
  visitorId: string;
  /** A notice kept for B's administrator's bell, unread. */
  notification: string;
  /** B's administrator's browser's Web Push subscription. */
  pushSubscription: string;
  /** A photo B's administrator uploaded for a reply in B's web chat, not yet sent. */
  upload: string;
  /** A video call ringing in B's web chat, from B's administrator to B's visitor. */
  call: string;
  /** B's catalog: a feed source, its finished sync and a product it brought in. */
  catalogSource: string;
  catalogSync: string;
  product: string;
  /** An automation rule of B's. */
  automationRule: string;
  /** B's outgoing webhook endpoint, and the delivery its test ping made. */
  webhookEndpoint: string;
  webhookDelivery: string;
  /** A ticket made from B's web chat, with a comment. */
  ticket: string;
}

/** Team A's own resources: a body names these, so that the only foreign thing in a call is the path's id. */
interface Attacker {
  admin: TestMember;
  contact: string;
  category: string;
  group: string;
  smsChannel: string;
  conversation: string;
  visitorId: string;
  ticket: string;
}

type Call = { path: string; body?: object };
type Case = (b: Victim, a: Attacker) => Call | Call[];

/**
 * Every route with a path id, called by team A's administrator with the id of team B's resource and a body that
 * would be valid for A's own. Keyed `METHOD path` exactly as the router lists it: a route missing here and from
 * EXEMPT fails the coverage test, so a new route has to opt in.
 */
const CASES: Record<string, Case> = {
  'DELETE /api/teams/current/api-keys/:id': (b) => ({ path: `/api/teams/current/api-keys/${b.apiKey}` }),
  'PATCH /api/members/:id': (b) => ({ path: `/api/members/${b.member}`, body: { role: 'administrator', training: true, name: '乗っ取り' } }),
  'DELETE /api/members/:id': (b) => ({ path: `/api/members/${b.member}` }),
  'POST /api/members/:id/reactivate': (b) => ({ path: `/api/members/${b.member}/reactivate` }),
  'GET /api/members/:id/status-changes': (b) => ({ path: `/api/members/${b.member}/status-changes` }),
  'PUT /api/members/:id/status': (b) => ({ path: `/api/members/${b.member}/status`, body: { status: 'offline', reason: 'switched off by another team' } }),
  'POST /api/messages/:id/approve': (b) => ({ path: `/api/messages/${b.draft}/approve` }),
  'POST /api/messages/:id/reject': (b) => ({ path: `/api/messages/${b.draft}/reject`, body: { feedback: 'rejected by another team' } }),
  'GET /api/messages/:id/attachments/:index': (b) => ({ path: `/api/messages/${b.attachmentMessage}/attachments/0` }),
  // Refused before a byte of the body is read: the conversation is looked up in the caller's team first.
  'POST /api/conversations/:id/uploads': (b) => ({ path: `/api/conversations/${b.conversation}/uploads` }),
  'PATCH /api/groups/:id': (b, a) => ({ path: `/api/groups/${b.group}`, body: { name: 'taken over', memberIds: [a.admin.id] } }),
  'DELETE /api/groups/:id': (b) => ({ path: `/api/groups/${b.group}` }),
  'GET /api/groups/:id/hours': (b) => ({ path: `/api/groups/${b.group}/hours` }),
  'PUT /api/groups/:id/hours': (b) => ({ path: `/api/groups/${b.group}/hours`, body: { businessHours: { weekly: [{ days: ['mon'], open: '10:00', close: '18:00' }] } } }),
  'GET /api/groups/:id/hours/preview': (b) => ({ path: `/api/groups/${b.group}/hours/preview` }),
  'GET /api/channels/:id': (b) => Object.values(b.channels).map((id) => ({ path: `/api/channels/${id}` })),
  'PATCH /api/channels/:id': (b) => Object.values(b.channels).map((id) => ({ path: `/api/channels/${id}`, body: { name: 'taken over', active: false } })),
  'DELETE /api/channels/:id': (b) => Object.values(b.channels).map((id) => ({ path: `/api/channels/${id}` })),
  'GET /api/channels/:id/groups': (b) => ({ path: `/api/channels/${b.channels.line}/groups` }),
  'GET /api/channels/:id/pairing': (b) => ({ path: `/api/channels/${b.channels.whatsappWeb}/pairing` }),
  'POST /api/channels/:id/check': (b) => Object.values(b.channels).map((id) => ({ path: `/api/channels/${id}/check` })),
  'POST /api/contacts/merges/:mergeId/undo': (b) => ({ path: `/api/contacts/merges/${b.merge}/undo` }),
  'GET /api/contacts/:id': (b) => ({ path: `/api/contacts/${b.contact}` }),
  'PATCH /api/contacts/:id': (b, a) => ({ path: `/api/contacts/${b.contact}`, body: { name: 'taken over', ownerId: a.admin.id } }),
  'DELETE /api/contacts/:id': (b) => ({ path: `/api/contacts/${b.contact}` }),
  'POST /api/contacts/:id/identities': (b) => ({ path: `/api/contacts/${b.contact}/identities`, body: { kind: 'email', address: `spy-${randomBytes(4).toString('hex')}@example.com` } }),
  'POST /api/contacts/:id/invitations': (b, a) => ({ path: `/api/contacts/${b.contact}/invitations`, body: { channel: 'sms', channelId: a.smsChannel } }),
  'POST /api/contacts/:id/block': (b) => ({ path: `/api/contacts/${b.contact}/block` }),
  'POST /api/notifications/:id/read': (b) => ({ path: `/api/notifications/${b.notification}/read` }),
  'DELETE /api/push/subscriptions/:id': (b) => ({ path: `/api/push/subscriptions/${b.pushSubscription}` }),
  'POST /api/contacts/:id/unblock': (b) => ({ path: `/api/contacts/${b.contact}/unblock` }),
  'GET /api/contacts/:id/events': (b) => ({ path: `/api/contacts/${b.contact}/events` }),
  'POST /api/contacts/:id/merge': (b, a) => [
    { path: `/api/contacts/${b.contact}/merge`, body: { intoContactId: a.contact } },
    // The other way round: A's contact swallowing B's.
    { path: `/api/contacts/${b.mergedInto}/merge`, body: { intoContactId: b.contact } },
  ],
  'GET /api/conversations/:id': (b) => [{ path: `/api/conversations/${b.conversation}` }, { path: `/api/conversations/${b.lineConversation}` }],
  'PUT /api/conversations/:id/category': (b, a) => ({ path: `/api/conversations/${b.conversation}/category`, body: { categoryId: a.category } }),
  'GET /api/conversations/:id/can-send': (b) => ({ path: `/api/conversations/${b.conversation}/can-send` }),
  'GET /api/conversations/:id/intake': (b) => ({ path: `/api/conversations/${b.conversation}/intake` }),
  'GET /api/conversations/:id/export.csv': (b) => ({ path: `/api/conversations/${b.conversation}/export.csv` }),
  'POST /api/conversations/:id/rating-request': (b) => ({ path: `/api/conversations/${b.conversation}/rating-request` }),
  'POST /api/conversations/:id/resolve': (b, a) => ({ path: `/api/conversations/${b.conversation}/resolve`, body: { outcome: 'booked', categoryId: a.category } }),
  'POST /api/conversations/:id/reopen': (b) => ({ path: `/api/conversations/${b.lineConversation}/reopen` }),
  'POST /api/conversations/:id/handoff': (b) => ({ path: `/api/conversations/${b.conversation}/handoff`, body: { note: 'handed off by another team' } }),
  'GET /api/conversations/:id/store': (b) => ({ path: `/api/conversations/${b.conversation}/store` }),
  'PUT /api/conversations/:id/store': (b) => ({ path: `/api/conversations/${b.conversation}/store`, body: { store: '渋谷' } }),
  'GET /api/conversations/:id/shopper-activity': (b) => ({ path: `/api/conversations/${b.conversation}/shopper-activity` }),
  'GET /api/conversations/:id/messages': (b) => ({ path: `/api/conversations/${b.conversation}/messages` }),
  'GET /api/conversations/:id/pages': (b) => ({ path: `/api/conversations/${b.conversation}/pages` }),
  'POST /api/conversations/:id/messages/:messageId/withdraw': (b, a) => [
    { path: `/api/conversations/${b.conversation}/messages/${b.message}/withdraw` },
    // A's own conversation naming B's message.
    { path: `/api/conversations/${a.conversation}/messages/${b.message}/withdraw` },
  ],
  'POST /api/conversations/:id/messages': (b) => [
    { path: `/api/conversations/${b.conversation}/messages`, body: { body: 'hijack' } },
    { path: `/api/conversations/${b.conversation}/messages`, body: { body: 'peek', kind: 'note' } },
  ],
  'POST /api/conversations/:id/transcript': (b) => ({ path: `/api/conversations/${b.conversation}/transcript`, body: { email: 'spy@example.com' } }),
  'POST /api/conversations/:id/transfer': (b, a) => [
    { path: `/api/conversations/${b.conversation}/transfer`, body: { memberId: a.admin.id, note: 'mine now' } },
    { path: `/api/conversations/${b.conversation}/transfer`, body: { groupId: a.group } },
  ],
  'POST /api/conversations/:id/accept': (b) => ({ path: `/api/conversations/${b.conversation}/accept` }),
  'POST /api/conversations/:id/assign': (b, a) => ({ path: `/api/conversations/${b.conversation}/assign`, body: { memberId: a.admin.id, override: true } }),
  'POST /api/conversations/:id/favorite': (b) => ({ path: `/api/conversations/${b.conversation}/favorite` }),
  'POST /api/conversations/:id/unfavorite': (b) => ({ path: `/api/conversations/${b.conversation}/unfavorite` }),
  'PATCH /api/categories/:id': (b, a) => [
    { path: `/api/categories/${b.category}`, body: { name: 'taken over' } },
    { path: `/api/categories/${b.category}`, body: { parentId: a.category } },
    { path: `/api/categories/${b.category}`, body: { parentId: null } },
  ],
  'DELETE /api/categories/:id': (b) => ({ path: `/api/categories/${b.category}` }),
  'PATCH /api/canned-replies/:id': (b) => ({ path: `/api/canned-replies/${b.cannedReply}`, body: { title: 'taken over', body: 'phishing link' } }),
  'DELETE /api/canned-replies/:id': (b) => ({ path: `/api/canned-replies/${b.cannedReply}` }),
  'POST /api/reports/:id/retry': (b) => ({ path: `/api/reports/${b.report}/retry` }),
  'PUT /api/automation/rules/:id': (b) => ({ path: `/api/automation/rules/${b.automationRule}`, body: { name: 'taken over', event: 'conversation.created', actions: [{ kind: 'note', text: 'A' }] } }),
  'DELETE /api/automation/rules/:id': (b) => ({ path: `/api/automation/rules/${b.automationRule}` }),
  'POST /api/sales/:id/seen': (b) => ({ path: `/api/sales/${b.sale}/seen` }),
  'GET /api/catalog/sources/:id': (b) => ({ path: `/api/catalog/sources/${b.catalogSource}` }),
  'PATCH /api/catalog/sources/:id': (b) => ({ path: `/api/catalog/sources/${b.catalogSource}`, body: { name: 'taken over', url: 'https://evil.example/feed.xml' } }),
  'POST /api/catalog/sources/:id/sync': (b) => ({ path: `/api/catalog/sources/${b.catalogSource}/sync` }),
  // Refused before the file is read: the source is looked up in the caller's team first.
  'POST /api/catalog/sources/:id/feed': (b) => ({ path: `/api/catalog/sources/${b.catalogSource}/feed` }),
  'GET /api/catalog/sources/:id/syncs': (b) => ({ path: `/api/catalog/sources/${b.catalogSource}/syncs` }),
  'GET /api/catalog/sources/:id/syncs/:syncId': (b) => ({ path: `/api/catalog/sources/${b.catalogSource}/syncs/${b.catalogSync}` }),
  'GET /api/catalog/products/:id': (b) => ({ path: `/api/catalog/products/${b.product}` }),
  'GET /api/webhooks/endpoints/:id': (b) => ({ path: `/api/webhooks/endpoints/${b.webhookEndpoint}` }),
  'PATCH /api/webhooks/endpoints/:id': (b) => ({ path: `/api/webhooks/endpoints/${b.webhookEndpoint}`, body: { url: 'https://evil.example/hook', enabled: false } }),
  'DELETE /api/webhooks/endpoints/:id': (b) => ({ path: `/api/webhooks/endpoints/${b.webhookEndpoint}` }),
  'POST /api/webhooks/endpoints/:id/rotate-secret': (b) => ({ path: `/api/webhooks/endpoints/${b.webhookEndpoint}/rotate-secret` }),
  'POST /api/webhooks/endpoints/:id/ping': (b) => ({ path: `/api/webhooks/endpoints/${b.webhookEndpoint}/ping` }),
  'GET /api/webhooks/endpoints/:id/deliveries': (b) => ({ path: `/api/webhooks/endpoints/${b.webhookEndpoint}/deliveries` }),
  'GET /api/webhooks/endpoints/:id/deliveries/:deliveryId': (b) => ({ path: `/api/webhooks/endpoints/${b.webhookEndpoint}/deliveries/${b.webhookDelivery}` }),
  'POST /api/webhooks/endpoints/:id/deliveries/:deliveryId/replay': (b) => ({ path: `/api/webhooks/endpoints/${b.webhookEndpoint}/deliveries/${b.webhookDelivery}/replay` }),
  'POST /api/webhooks/endpoints/:id/replay': (b) => ({ path: `/api/webhooks/endpoints/${b.webhookEndpoint}/replay`, body: { since: '2000-01-01T00:00:00Z' } }),
  'GET /api/tickets/:id': (b) => ({ path: `/api/tickets/${b.ticket}` }),
  'PATCH /api/tickets/:id': (b, a) => ({ path: `/api/tickets/${b.ticket}`, body: { status: 'solved', assigneeId: a.admin.id, title: 'taken over' } }),
  'POST /api/tickets/:id/comments': (b) => ({ path: `/api/tickets/${b.ticket}/comments`, body: { body: 'written by another team' } }),
  'GET /api/conversations/:id/tickets': (b) => ({ path: `/api/conversations/${b.conversation}/tickets` }),
  'POST /api/conversations/:id/tickets': (b) => ({ path: `/api/conversations/${b.conversation}/tickets`, body: { title: 'a ticket on another team’s chat' } }),
  'GET /api/contacts/:id/tickets': (b) => ({ path: `/api/contacts/${b.contact}/tickets` }),
};

/** Routes whose path id does not name a team's resource, and why they are not in the matrix. */
const EXEMPT: Record<string, string> = {
  'POST /api/purchases/:orderId/refund': 'the order id is the shop’s own name for an order, looked up within the team of the API key (checked below)',
  'POST /api/purchases/:orderId/cancel': 'the order id is the shop’s own name for an order, looked up within the team of the API key (checked below)',
  'POST /api/widget/:channelId/events': 'public: a web chat channel id is the widget’s address on every shop page; events land in that channel’s team',
  'POST /api/widget/:channelId/uploads': 'public: the widget’s address, as for events; the file becomes the visitor’s own message in that channel’s team',
  'GET /files/:messageId/:index': 'a signed link: the HMAC over the message, the file and the expiry is the permission, not a sign-in',
  'GET /p/:token': 'a product card’s link: a random 72-bit token that only ever leads to the shop page saved with the card (no data, no team id)',
  'POST /webhooks/:route/:channelId': 'a provider’s callback: the channel id is its address, the provider’s signature is the guard',
  'GET /webhooks/:route/:channelId': 'a provider’s verification challenge, answered with the channel’s own token',
  'POST /webhooks/:route/:channelId/:hook': 'a provider’s callback: the channel id is its address, the provider’s signature is the guard',
};

/** `METHOD /path` of every route with a path parameter, read from the router itself (Fastify's route tree). */
function routesWithPathIds(hub: TestHub): string[] {
  const tree = hub.app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false });
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1].length / 4;
    const path = (stack[depth - 1] ?? '') + match[2];
    stack[depth] = path;
    stack.length = depth + 1;
    // HEAD comes with every GET, OPTIONS is a CORS preflight: neither runs the route's own handler.
    const methods = (match[3] ?? '').split(', ').filter((method) => method && method !== 'HEAD' && method !== 'OPTIONS');
    if (/\/:/.test(path)) routes.push(...methods.map((method) => `${method} ${path}`));
  }
  return routes;
}

/** Every `@SubscribeMessage` of every gateway in the app, by namespace, read from the gateways' metadata. */
function gatewayEvents(hub: TestHub): Map<string, string[]> {
  const byNamespace = new Map<string, string[]>();
  for (const module of hub.app.get(ModulesContainer).values()) {
    for (const wrapper of module.providers.values()) {
      const type = wrapper.metatype;
      if (typeof type !== 'function' || !Reflect.getMetadata(GATEWAY_METADATA, type)) continue;
      const namespace = String((Reflect.getMetadata(GATEWAY_OPTIONS, type) as { namespace?: string } | undefined)?.namespace ?? '/');
      const prototype = type.prototype as Record<string, unknown>;
      const events = Object.getOwnPropertyNames(prototype)
        .map((name) => prototype[name])
        .filter((handler): handler is object => typeof handler === 'function' && Reflect.getMetadata(MESSAGE_MAPPING_METADATA, handler) === true)
        .map((handler) => String(Reflect.getMetadata(MESSAGE_METADATA, handler)));
      byNamespace.set(namespace, [...(byNamespace.get(namespace) ?? []), ...events]);
    }
  }
  return byNamespace;
}

describe('Cross-team access', () => {
  let hub: TestHub;
  let line: LineFake;
  let sendgrid: SendgridFake;
  let twilio: TwilioFake;
  let cloud: WhatsAppCloudFake;
  const runtime = fakeWhatsAppWebRuntime(60_000);
  const { open, closeAll } = socketPool();
  let a: Attacker;
  let b: Victim;
  let before: unknown;

  /** Everything team B has, read from the database: compared before and after the attacks. */
  async function stateOf(teamId: string): Promise<unknown> {
    const db = hub.infra.db;
    const where = { teamId };
    const orderBy = { id: 'asc' } as const;
    const [conversations, messages, contacts, identities, merges, channels, members, groups, categories, replies, keys, sales, reports, targets, events, favorites, notifications, pushSubscriptions, catalogSources, catalogSyncs, products, webhookEndpoints, webhookDeliveries, tickets, ticketComments, ticketActivities] = await Promise.all([
      db.conversation.findMany({ where, orderBy }),
      db.message.findMany({ where, orderBy }),
      db.contact.findMany({ where, orderBy }),
      db.contactIdentity.findMany({ where, orderBy }),
      db.contactMerge.findMany({ where, orderBy }),
      db.channel.findMany({ where, orderBy }),
      // Presence moves with B's own sockets; who the members are and what they may do must not.
      db.member.findMany({ where, orderBy, select: { id: true, email: true, name: true, role: true, capacity: true, training: true, tokenVersion: true } }),
      db.memberGroup.findMany({ where, orderBy, include: { members: true } }),
      db.category.findMany({ where, orderBy }),
      db.cannedReply.findMany({ where, orderBy }),
      db.apiKey.findMany({ where, orderBy }),
      db.sale.findMany({ where, orderBy }),
      db.report.findMany({ where, orderBy }),
      db.reportTarget.findMany({ where, orderBy }),
      db.contactEvent.findMany({ where, orderBy }),
      db.favorite.findMany({ where: { conversation: { teamId } } }),
      db.notification.findMany({ where, orderBy }),
      db.pushSubscription.findMany({ where, orderBy }),
      db.catalogSource.findMany({ where, orderBy }),
      db.catalogSync.findMany({ where, orderBy }),
      db.product.findMany({ where, orderBy }),
      // What A could change; B's own ping keeps retrying meanwhile (its attempts and failing streak move on their own).
      db.webhookEndpoint.findMany({ where, orderBy, select: { id: true, url: true, description: true, events: true, enabled: true, secret: true } }),
      db.webhookDelivery.findMany({ where, orderBy, select: { id: true, eventId: true, body: true, state: true } }),
      // B's own ticket made live during the socket test is B's doing, not A's.
      db.ticket.findMany({ where: { teamId, title: { not: LIVE_TICKET } }, orderBy }),
      db.ticketComment.findMany({ where: { ticket: { teamId, title: { not: LIVE_TICKET } } }, orderBy }),
      db.ticketActivity.findMany({ where: { ticket: { teamId, title: { not: LIVE_TICKET } } }, orderBy }),
    ]);
    return { conversations, messages, contacts, identities, merges, channels, members, groups, categories, replies, keys, sales, reports, targets, events, favorites, notifications, pushSubscriptions, catalogSources, catalogSyncs, products, webhookEndpoints, webhookDeliveries, tickets, ticketComments, ticketActivities };
  }

  /** A setup call that must succeed; a refusal shows its body. */
  async function created(path: string, auth: TestMember['auth'], body: object) {
    const response = await hub.http.post(path).set(auth).send(body);
    expect({ path, status: response.status, refusal: response.status === 201 ? null : response.body }).toEqual({ path, status: 201, refusal: null });
    return response;
  }

  async function lineDeliver(channelId: string, events: Record<string, unknown>[]) {
    const body = JSON.stringify({ destination: 'U' + '0'.repeat(32), events });
    await request(hub.url).post(`/webhooks/line/${channelId}`).set('content-type', 'application/json').set('x-line-signature', signLineBody(LINE_SECRET, body)).send(body).expect(200);
  }

  function lineFixture(name: string, patch: Record<string, unknown>): Record<string, unknown>[] {
    const events = JSON.parse(readFileSync(join(LINE_FIXTURES, name), 'utf8')).events as Record<string, unknown>[];
    return events.map((event) => ({ ...event, webhookEventId: `01CROSS${randomBytes(8).toString('hex')}`, ...patch, source: { ...(event.source as object), ...(patch.source as object) } }));
  }

  async function visitorChat(channelId: string, body: string): Promise<{ conversationId: string; messageId: string; visitorId: string; socket: Socket }> {
    const visitorId = randomBytes(16).toString('base64url');
    const socket = await open(hub.url, '/widget', { channelId, visitorId });
    await sessionOf(socket);
    const ack = await emitWithAck<{ ok: boolean; conversationId: string; id: string }>(socket, 'message', { body });
    expect(ack.ok).toBe(true);
    return { conversationId: ack.conversationId, messageId: ack.id, visitorId, socket };
  }

  /** Team B, with one of everything. */
  async function victim(): Promise<Victim> {
    const team = await createTeam(hub, 'B');
    const admin = team.admin;
    const post = (path: string, body: object) => created(path, admin.auth, body);
    const channel = (body: object) => post('/api/channels', body).then((r) => r.body.id as string);
    const webchat = await createWebchat(hub, admin);
    const lineChannel = await channel({ type: 'line', provider: 'line', name: 'LINE', config: { channelSecret: LINE_SECRET, channelAccessToken: LINE_TOKEN, apiBaseUrl: line.url } });
    const email = await channel({ type: 'email', provider: 'sendgrid', name: 'Mail', config: { apiKey: SENDGRID_KEY, fromEmail: 'support@b.example', inboundToken: 'cross-team-inbound-0123', apiBaseUrl: sendgrid.url } });
    const sms = await channel({ type: 'sms', provider: 'twilio', name: 'SMS', config: { ...TWILIO, from: '+15005550006', apiBaseUrl: twilio.url } });
    const whatsappCloud = await channel({ type: 'whatsapp', provider: 'whatsapp-cloud', name: 'WA', config: { ...WA_CLOUD, apiBaseUrl: cloud.apiBaseUrl } });
    const whatsappWeb = await channel({ type: 'whatsapp', provider: 'whatsapp-web', name: 'WA phone', config: { sessionName: 'b-phone' } });

    const member = await addMember(hub, team, { name: '鈴木 一郎' });
    const trainee = await addMember(hub, team, { name: '新人 太郎', training: true });
    const group = (await post('/api/groups', { name: 'B group', memberIds: [member.id] })).body.id as string;
    const category = (await post('/api/categories', { name: 'B category' })).body.id as string;
    const cannedReply = (await post('/api/canned-replies', { shortCode: 'b1', title: 'B reply', body: 'B text' })).body.id as string;
    const key = (await post('/api/teams/current/api-keys', { name: 'B shop' })).body;

    // A web chat with messages, a trainee's draft held in it, and a sale credited to it.
    const chat = await visitorChat(webchat, 'secret of team B');
    const draft = (await hub.http.post(`/api/conversations/${chat.conversationId}/messages`).set(trainee.auth).send({ body: 'draft of team B' }).expect(201)).body;
    expect(draft.status).toBe('pending_approval');
    const sale = await request(hub.url)
      .post('/api/purchases')
      .set('Authorization', `Bearer ${key.key}`)
      .send({ orderId: `B-${randomBytes(4).toString('hex')}`, visitorId: chat.visitorId, amount: 1000, currency: 'JPY', occurredAt: new Date().toISOString() })
      .expect(201);

    // A LINE staff group as the report target; a LINE customer's file (fetched into the hub), taken by B's admin,
    // which writes the taking report.
    const staffGroup = `C${randomBytes(16).toString('hex')}`;
    line.setGroup(staffGroup, 'B staff');
    await lineDeliver(lineChannel, lineFixture('single-join-group.json', { source: { type: 'group', groupId: staffGroup } }));
    await eventually(
      async () => (await hub.http.get(`/api/channels/${lineChannel}/groups`).set(admin.auth).expect(200)).body.items as { groupId: string; name: string | null }[],
      (items) => items.some((g) => g.groupId === staffGroup && g.name === 'B staff'),
    );
    await hub.http.put('/api/teams/current/report-targets').set(admin.auth).send({ callCenter: { channelId: lineChannel, groupId: staffGroup } }).expect(200);
    const fileId = String(Date.now());
    line.setContent(fileId, Buffer.from('team B’s file'), 'text/plain');
    const lineUser = `U${randomBytes(16).toString('hex')}`;
    const [fileEvent] = lineFixture('single-user-file.json', { source: { type: 'user', userId: lineUser } });
    await lineDeliver(lineChannel, [{ ...fileEvent, message: { ...(fileEvent.message as object), id: fileId } }]);
    const attachment = await eventually(
      () => hub.infra.db.message.findFirst({ where: { channelId: lineChannel } }),
      (m) => m !== null && Array.isArray(m.attachments) && Boolean((m.attachments[0] as { url?: string } | undefined)?.url),
    );
    await hub.http.post(`/api/conversations/${attachment!.conversationId}/accept`).set(admin.auth).expect(200);
    const report = await eventually(
      () => hub.infra.db.report.findFirst({ where: { teamId: team.teamId, conversationId: attachment!.conversationId } }),
      (r) => r !== null && r.status === 'sent',
    );
    // Resolved, so that `reopen` would change something.
    await hub.http.post(`/api/conversations/${attachment!.conversationId}/resolve`).set(admin.auth).send({}).expect(200);
    await eventually(() => hub.infra.db.report.count({ where: { teamId: team.teamId, status: { not: 'sent' } } }), (n) => n === 0);

    const conversation = await hub.http.get(`/api/conversations/${chat.conversationId}`).set(admin.auth).expect(200);
    const first = (await post('/api/contacts', { name: 'B merged' })).body.id as string;
    const mergedInto = (await post('/api/contacts', { name: 'B survivor' })).body.id as string;
    const merge = (await hub.http.post(`/api/contacts/${first}/merge`).set(admin.auth).send({ intoContactId: mergedInto }).expect(201)).body.mergeId as string;
    // A blocked contact is news for the supervisors: B's administrator's bell keeps it.
    await hub.http.post(`/api/contacts/${mergedInto}/block`).set(admin.auth).expect(200);
    const notification = await eventually(
      () => hub.infra.db.notification.findFirst({ where: { memberId: admin.id, type: 'contact_blocked' } }),
      (row) => row !== null,
    );
    // Last, so that nothing done above is pushed to it (its push service is not there).
    const pushSubscription = (
      await created('/api/push/subscriptions', admin.auth, { endpoint: `https://push.example.test/${randomBytes(8).toString('hex')}`, keys: { p256dh: makeSubscriptionKeys().p256dh, auth: randomBytes(16).toString('base64url') } })
    ).body.id as string;

    const catalogSource = (await created('/api/catalog/sources', admin.auth, { name: 'B feed', format: 'merchant_xml' })).body.id as string;
    const feed = '<rss xmlns:g="http://base.google.com/ns/1.0" version="2.0"><channel><item><g:id>B-1</g:id><g:title>B の商品</g:title><g:price>1000 JPY</g:price></item></channel></rss>';
    const catalogSync = (await hub.http.post(`/api/catalog/sources/${catalogSource}/feed`).set(admin.auth).attach('file', Buffer.from(feed), 'feed.xml').expect(202)).body.id as string;
    await eventually(() => hub.infra.db.catalogSync.findUnique({ where: { id: catalogSync } }), (sync) => sync?.status === 'done');
    const product = (await hub.infra.db.product.findFirstOrThrow({ where: { sourceId: catalogSource } })).id;
    const automationRule = (await created('/api/automation/rules', admin.auth, { name: 'B rule', event: 'conversation.created', actions: [{ kind: 'note', text: 'B' }] })).body.id as string;
    // Nothing listens on the discard port: the ping fails at once and its delivery stays pending.
    const webhookEndpoint = (await created('/api/webhooks/endpoints', admin.auth, { url: 'http://127.0.0.1:9/bookings', events: ['conversation.resolved'] })).body.id as string;
    const webhookDelivery = (await hub.http.post(`/api/webhooks/endpoints/${webhookEndpoint}/ping`).set(admin.auth).expect(200)).body.id as string;
    const ticket = (await created(`/api/conversations/${chat.conversationId}/tickets`, admin.auth, { title: 'B のフォローアップ' })).body.id as string;
    await created(`/api/tickets/${ticket}/comments`, admin.auth, { body: 'B internal note' });

    return {
      admin,
      conversation: chat.conversationId,
      lineConversation: attachment!.conversationId,
      contact: conversation.body.contact.id,
      merge,
      mergedInto,
      message: chat.messageId,
      attachmentMessage: attachment!.id,
      draft: draft.id,
      channels: { webchat, line: lineChannel, email, sms, whatsappCloud, whatsappWeb },
      member: member.id,
      group,
      category,
      cannedReply,
      apiKey: key.id,
      sale: sale.body.id,
      report: report!.id,
      automationRule,
      visitorId: chat.visitorId,
      notification: notification!.id,
      pushSubscription,
      upload: (await hub.http.post(`/api/conversations/${chat.conversationId}/uploads`).set(admin.auth).attach('file', PHOTO, 'b.png').expect(201)).body.id as string,
      call: (
        await hub.infra.db.call.create({
          data: { teamId: admin.teamId, conversationId: chat.conversationId, channelId: webchat, memberId: admin.id, visitorId: chat.visitorId, liveKey: chat.conversationId },
        })
      ).id,
      catalogSource,
      catalogSync,
      product,
      webhookEndpoint,
      webhookDelivery,
      ticket,
    };
  }

  async function attacker(): Promise<Attacker> {
    const admin = (await createTeam(hub, 'A')).admin;
    const post = (path: string, body: object) => created(path, admin.auth, body);
    const webchat = await createWebchat(hub, admin);
    const chat = await visitorChat(webchat, 'team A’s own chat');
    // A's chat is A's administrator's, so that a transfer of it gets as far as the id it names.
    await hub.http.post(`/api/conversations/${chat.conversationId}/accept`).set(admin.auth).expect(200);
    const contact = (await post('/api/contacts', { name: 'A contact', phone: '+819011112222' })).body.id as string;
    return {
      admin,
      contact,
      category: (await post('/api/categories', { name: 'A category' })).body.id,
      group: (await post('/api/groups', { name: 'A group', memberIds: [admin.id] })).body.id,
      smsChannel: (await post('/api/channels', { type: 'sms', provider: 'twilio', name: 'A SMS', config: { ...TWILIO, from: '+15005550007', apiBaseUrl: twilio.url } })).body.id,
      conversation: chat.conversationId,
      visitorId: chat.visitorId,
      ticket: (await post('/api/tickets', { title: 'A ticket', contactId: contact })).body.id,
    };
  }

  beforeAll(async () => {
    [line, sendgrid, twilio, cloud] = await Promise.all([
      startLineFake({ channelAccessToken: LINE_TOKEN }),
      startSendgridFake({ apiKey: SENDGRID_KEY }),
      startTwilioFake(TWILIO),
      startWhatsAppCloudFake({ accessToken: WA_CLOUD.accessToken, phoneNumberId: WA_CLOUD.phoneNumberId }),
    ]);
    hub = await startTestHub({ PUBLIC_URL: 'https://hub.example.test' }, { providers: [{ provide: WHATSAPP_WEB_RUNTIME, useValue: runtime }] });
    b = await victim();
    a = await attacker();
    before = await stateOf(b.admin.teamId);
  }, 120_000);

  afterAll(async () => {
    closeAll();
    await hub?.stop();
    await Promise.all([line?.close(), sendgrid?.close(), twilio?.close(), cloud?.close()]);
  });

  describe('HTTP routes', () => {
    // A route added without a decision about its id: it must join CASES or EXEMPT.
    it('covers every route with a path id, and lists no route that does not exist', () => {
      const live = routesWithPathIds(hub);
      const decided = new Set([...Object.keys(CASES), ...Object.keys(EXEMPT)]);
      expect(live.filter((route) => !decided.has(route))).toEqual([]);
      expect([...decided].filter((route) => !live.includes(route))).toEqual([]);
      for (const route of Object.keys(CASES)) expect(EXEMPT[route]).toBeUndefined();
    });

    // Attack: team A's administrator (no role check can hide a leak) names team B's resource in the path. The answer
    // must be the one for an id that does not exist: not 403 (it exists, you may not), not 2xx, not a 400 or 409
    // that only a real resource could produce.
    it.each(Object.keys(CASES))('%s answers 404 with team B’s id', async (route) => {
      const method = route.slice(0, route.indexOf(' ')).toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
      const calls = [CASES[route](b, a)].flat();
      for (const { path, body } of calls) {
        const call = hub.http[method](path).set(a.admin.auth);
        const response = await (body ? call.send(body) : call);
        expect({ path, body, status: response.status, code: response.body?.code }).toEqual({ path, body, status: 404, code: expect.stringMatching(/not_found/) });
      }
    });

    // The matrix above proves nothing if its ids name nothing: team B's administrator reads each of them.
    it('names real resources: team B reads every id the read routes were given', async () => {
      for (const route of Object.keys(CASES).filter((key) => key.startsWith('GET '))) {
        for (const { path } of [CASES[route](b, a)].flat()) {
          const response = await hub.http.get(path).set(b.admin.auth);
          expect({ path, status: response.status }).toEqual({ path, status: 200 });
        }
      }
    });

    // Attack: a route on team A's own resource, with team B's id in the body (assign A's chat to B's member, file
    // it under B's category...). The answer must be the one for an id that does not exist, and B must not change.
    const BODY_CASES: [name: string, call: (b: Victim, a: Attacker, foreign: (id: string) => string) => { method: 'post' | 'put' | 'patch'; path: string; body: object }][] = [
      ['assign to B’s member', (v, o, f) => ({ method: 'post', path: `/api/conversations/${o.conversation}/assign`, body: { memberId: f(v.member), override: true } })],
      ['transfer to B’s member', (v, o, f) => ({ method: 'post', path: `/api/conversations/${o.conversation}/transfer`, body: { memberId: f(v.member) } })],
      ['transfer to B’s group', (v, o, f) => ({ method: 'post', path: `/api/conversations/${o.conversation}/transfer`, body: { groupId: f(v.group) } })],
      ['resolve under B’s category', (v, o, f) => ({ method: 'post', path: `/api/conversations/${o.conversation}/resolve`, body: { categoryId: f(v.category) } })],
      ['file under B’s category', (v, o, f) => ({ method: 'put', path: `/api/conversations/${o.conversation}/category`, body: { categoryId: f(v.category) } })],
      ['reply with B’s uploaded file', (v, o, f) => ({ method: 'post', path: `/api/conversations/${o.conversation}/messages`, body: { attachments: [f(v.upload)] } })],
      ['reply with B’s canned reply', (v, o, f) => ({ method: 'post', path: `/api/conversations/${o.conversation}/messages`, body: { body: 'hi', cannedReplyId: f(v.cannedReply) } })],
      ['transcript through B’s email channel', (v, o, f) => ({ method: 'post', path: `/api/conversations/${o.conversation}/transcript`, body: { email: 'a@example.com', channelId: f(v.channels.email) } })],
      ['start a chat with B’s contact', (v, o, f) => ({ method: 'post', path: '/api/conversations', body: { contactId: f(v.contact), channelId: o.smsChannel, body: 'hi' } })],
      ['start a chat on B’s channel', (v, o, f) => ({ method: 'post', path: '/api/conversations', body: { contactId: o.contact, channelId: f(v.channels.sms), body: 'hi' } })],
      ['invite through B’s channel', (v, o, f) => ({ method: 'post', path: `/api/contacts/${o.contact}/invitations`, body: { channel: 'sms', channelId: f(v.channels.sms) } })],
      ['merge into B’s contact', (v, o, f) => ({ method: 'post', path: `/api/contacts/${o.contact}/merge`, body: { intoContactId: f(v.contact) } })],
      ['give A’s contact to B’s member', (v, o, f) => ({ method: 'patch', path: `/api/contacts/${o.contact}`, body: { ownerId: f(v.member) } })],
      ['put B’s member in A’s group', (v, o, f) => ({ method: 'patch', path: `/api/groups/${o.group}`, body: { memberIds: [f(v.member)] } })],
      ['put A’s member in B’s group', (v, o, f) => ({ method: 'patch', path: `/api/members/${o.admin.id}`, body: { groupIds: [f(v.group)] } })],
      ['route A’s chats to B’s group', (v, o, f) => ({ method: 'put', path: '/api/routing/group-order', body: { groupIds: [o.group, f(v.group)] } })],
      ['a category under B’s', (v, _o, f) => ({ method: 'post', path: '/api/categories', body: { name: `sub ${randomBytes(3).toString('hex')}`, parentId: f(v.category) } })],
      ['a canned reply under B’s category', (v, _o, f) => ({ method: 'post', path: '/api/canned-replies', body: { shortCode: `x${randomBytes(3).toString('hex')}`, title: 't', body: 'b', categoryId: f(v.category) } })],
      ['a ticket for B’s contact', (v, _o, f) => ({ method: 'post', path: '/api/tickets', body: { title: 't', contactId: f(v.contact) } })],
      ['a ticket from B’s conversation', (v, _o, f) => ({ method: 'post', path: '/api/tickets', body: { title: 't', conversationId: f(v.conversation) } })],
      ['assign A’s ticket to B’s member', (v, o, f) => ({ method: 'patch', path: `/api/tickets/${o.ticket}`, body: { assigneeId: f(v.member) } })],
      ['give A’s ticket to B’s group', (v, o, f) => ({ method: 'patch', path: `/api/tickets/${o.ticket}`, body: { groupId: f(v.group) } })],
      ['dry-run a rule against B’s conversation', (v, _o, f) => ({ method: 'post', path: '/api/automation/rules/test', body: { conversationId: f(v.conversation) } })],
      ['dry-run B’s rule against A’s conversation', (v, o, f) => ({ method: 'post', path: '/api/automation/rules/test', body: { conversationId: o.conversation, ruleId: f(v.automationRule) } })],
      ['a rule assigning to B’s group', (v, _o, f) => ({ method: 'post', path: '/api/automation/rules', body: { name: 'r', event: 'conversation.created', actions: [{ kind: 'assign_group', groupId: f(v.group) }] } })],
      ['a rule assigning to B’s member', (v, _o, f) => ({ method: 'post', path: '/api/automation/rules', body: { name: 'r', event: 'conversation.created', actions: [{ kind: 'assign_member', memberId: f(v.member) }] } })],
      ['a rule on B’s channel', (v, _o, f) => ({ method: 'post', path: '/api/automation/rules', body: { name: 'r', event: 'conversation.created', conditions: [{ kind: 'channel', channelIds: [f(v.channels.sms)] }], actions: [{ kind: 'note', text: 'n' }] } })],
      ['a rule filing under B’s category', (v, _o, f) => ({ method: 'post', path: '/api/automation/rules', body: { name: 'r', event: 'conversation.created', actions: [{ kind: 'set_category', categoryId: f(v.category) }] } })],
      ['a rule replying with B’s canned reply', (v, _o, f) => ({ method: 'post', path: '/api/automation/rules', body: { name: 'r', event: 'conversation.created', actions: [{ kind: 'reply', cannedReplyId: f(v.cannedReply) }] } })],
      ['a rule posting to B’s webhook endpoint', (v, _o, f) => ({ method: 'post', path: '/api/automation/rules', body: { name: 'r', event: 'conversation.resolved', actions: [{ kind: 'webhook', endpointId: f(v.webhookEndpoint) }] } })],
      ['a rule ticketing B’s group', (v, _o, f) => ({ method: 'post', path: '/api/automation/rules', body: { name: 'r', event: 'conversation.resolved', actions: [{ kind: 'create_ticket', title: 't', groupId: f(v.group) }] } })],
      ['A’s rules ordered with B’s rule', (v, _o, f) => ({ method: 'put', path: '/api/automation/rules/order', body: { ruleIds: [f(v.automationRule)] } })],
      ['report to B’s LINE channel', (v, _o, f) => ({ method: 'put', path: '/api/teams/current/report-targets', body: { callCenter: { channelId: f(v.channels.line), groupId: 'C' + '0'.repeat(32) } } })],
    ];

    it.each(BODY_CASES.map(([name]) => name))('%s: answered as for an id that does not exist', async (name) => {
      const call = BODY_CASES.find(([caseName]) => caseName === name)![1];
      const send = async (foreign: (id: string) => string) => {
        const { method, path, body } = call(b, a, foreign);
        const response = await hub.http[method](path).set(a.admin.auth).send(body);
        return { status: response.status, code: response.body?.code as unknown };
      };
      const withB = await send((id) => id);
      // Refused before the id was read proves nothing: the case must reach the id.
      expect(withB.code).not.toBe('not_assigned');
      const withNothing = await send(() => '01900000-0000-7000-8000-000000000000');
      expect(withB).toEqual(withNothing);
      expect(withB.status).toBeGreaterThanOrEqual(400);
    });

    // Attack: a dry run names its conversation in the body, not the path: team B's chat must read as one that is not there.
    it('answers 404 to a dry run of team A’s rules against team B’s conversation', async () => {
      const response = await hub.http.post('/api/automation/rules/test').set(a.admin.auth).send({ conversationId: b.conversation });
      expect({ status: response.status, code: response.body.code }).toEqual({ status: 404, code: 'not_found' });
    });

    // Attack: the shop's API key of team A names team B's order.
    it('refuses team B’s order to team A’s API key', async () => {
      const key = (await hub.http.post('/api/teams/current/api-keys').set(a.admin.auth).send({ name: 'A shop' }).expect(201)).body.key as string;
      const order = (await hub.infra.db.sale.findUniqueOrThrow({ where: { id: b.sale } })).orderId;
      for (const action of ['refund', 'cancel']) {
        const response = await request(hub.url).post(`/api/purchases/${order}/${action}`).set('Authorization', `Bearer ${key}`).send({});
        expect(response.status).toBe(404);
      }
    });

    // Attack: lists and searches of team A showing team B's records.
    it('lists only the caller’s own team', async () => {
      const paths = [
        '/api/conversations', '/api/channels', '/api/contacts', '/api/members', '/api/groups', '/api/categories', '/api/canned-replies', '/api/drafts', '/api/sales', '/api/reports', '/api/queue', '/api/messages/search?q=secret',
        '/api/conversation-history', '/api/routing/group-order',
        // Filters naming team B's member and category: they narrow team A's own records, never reach B's.
        `/api/conversation-history?memberId=${b.member}`, `/api/conversation-history?categoryId=${b.category}`,
        `/api/conversations?contactId=${b.contact}`, '/api/notifications',
        `/api/messages/search?q=secret&memberId=${b.member}`, `/api/messages/search?q=secret&categoryId=${b.category}`,
        '/api/tickets', `/api/tickets?assigneeId=${b.admin.id}`, '/api/tickets?view=mine', '/api/tickets?view=overdue', '/api/reports/tickets',
      ];
      for (const path of paths) {
        const found = JSON.stringify((await hub.http.get(path).set(a.admin.auth).expect(200)).body);
        for (const id of [b.conversation, b.lineConversation, b.contact, b.member, b.group, b.category, b.cannedReply, b.draft, b.sale, b.report, b.ticket, ...Object.values(b.channels)]) {
          expect({ path, leaked: found.includes(id) ? id : null }).toEqual({ path, leaked: null });
        }
      }
    });
  });

  describe('socket events', () => {
    // An event added to a gateway without a cross-team case: it must get a frame here.
    const INBOX_FRAMES: Record<string, (b: Victim) => Record<string, unknown>> = {
      typing: (v) => ({ conversationId: v.conversation }),
      // A call into B's web chat, and frames naming B's call: B's visitor must never ring or hear A's signals.
      'call.invite': (v) => ({ conversationId: v.conversation }),
      'call.signal': (v) => ({ callId: v.call, signal: { candidate: { candidate: 'candidate:1 1 udp 1 192.0.2.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 } } }),
      'call.end': (v) => ({ callId: v.call, reason: 'hung_up' }),
      'call.ice': (v) => ({ callId: v.call }),
    };
    /** Stands for B's call in a widget frame until B exists. */
    const CALL = 'b-call';
    // The widget's frames name no id (the socket's channel and visitor are its scope); each is also sent with team
    // B's ids added, which a strict frame must refuse, so that a field added later cannot point at B silently.
    const WIDGET_FRAMES: Record<string, Record<string, unknown>> = {
      track: { type: 'purchase', url: 'https://shop.example/thanks', order: { id: 'A-1' } },
      message: { body: 'hello from A’s page' },
      identify: { name: 'spy' },
      // No code was sent to this visitor: answered `no_proof_pending`, and with B's ids added, refused as a strict frame.
      prove: { code: '123456' },
      leave_message: { email: 'spy@example.com', body: 'hello' },
      // A version of no notice (`notice_outdated`): the ledger entry could only ever be the visitor's own.
      consent: { version: '0123456789ab', url: 'https://shop.example/page' },
      // A's web chat asks no intake (`intake_not_configured`); the answers could only open the visitor's own chat.
      intake: { answers: [{ key: 'prechat', value: 'spy' }] },
      transcript: { email: 'spy@example.com' },
      rating: { score: 1, comment: 'spy' },
      page: { url: 'https://shop.example/page' },
      typing: { draft: 'spy' },
      // B's call, by its id (filled in below once B exists): a visitor of A's web chat, even with B's visitor id, is
      // not that call's visitor.
      'call.accept': { callId: CALL },
      'call.decline': { callId: CALL },
      'call.signal': { callId: CALL, signal: { candidate: { candidate: 'candidate:1 1 udp 1 192.0.2.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 } } },
      'call.end': { callId: CALL, reason: 'hung_up' },
      'call.restart': { callId: CALL },
    };
    const withCall = (frame: Record<string, unknown>) => (frame.callId === CALL ? { ...frame, callId: b.call } : frame);

    it('has a frame for every event of /inbox and /widget, and no other namespace', () => {
      const events = gatewayEvents(hub);
      expect([...events.keys()].sort()).toEqual(['/inbox', '/widget']);
      expect(events.get('/inbox')!.sort()).toEqual(Object.keys(INBOX_FRAMES).sort());
      expect(events.get('/widget')!.sort()).toEqual(Object.keys(WIDGET_FRAMES).sort());
    });

    // Attack: a member of team A sends /inbox events naming team B's conversation (typing shows on B's customer's
    // screen); and A's socket must hear nothing of team B.
    it('refuses every /inbox event naming team B’s ids, relays nothing to B, and tells A nothing of B', async () => {
      const bVisitor = await open(hub.url, '/widget', { channelId: b.channels.webchat, visitorId: b.visitorId });
      await sessionOf(bVisitor);
      const typingSeen = collect(bVisitor, 'typing');
      const callsHeard = ['call.invite', 'call.signal', 'call.ended'].map((event) => collect(bVisitor, event));
      const spy = await open(hub.url, '/inbox', { token: a.admin.token });
      const heardBySpy: unknown[] = [];
      spy.onAny((event: string, ...args: unknown[]) => heardBySpy.push([event, ...args]));

      for (const [event, frame] of Object.entries(INBOX_FRAMES)) {
        const answer = await emitWithAck<{ ok: boolean; code?: string }>(spy, event, frame(b));
        expect({ event, answer }).toEqual({ event, answer: { ok: false, code: expect.stringMatching(/not_found/), message: expect.any(String) } });
      }

      // B's own agent types: B's visitor hears that typing, and only it (the socket keeps the order).
      const own = await open(hub.url, '/inbox', { token: b.admin.token });
      const typed = nextEvent(bVisitor, 'typing');
      expect(await emitWithAck(own, 'typing', { conversationId: b.conversation })).toMatchObject({ ok: true });
      await typed;
      expect(typingSeen).toHaveLength(1);
      expect(callsHeard.flat()).toEqual([]);
      // B's visitor types (B's agents hear it), then A's own note: once A hears its note, anything of B's would
      // have reached A's socket before it.
      const heardByB = nextEvent(own, 'typing');
      expect(await emitWithAck(bVisitor, 'typing', { draft: 'B typing' })).toMatchObject({ ok: true });
      await heardByB;
      // B makes a ticket: B's agents hear its frame, A's do not.
      const ticketOfB = nextEvent<{ id: string }>(own, 'ticket.updated');
      const live = await hub.http.post(`/api/conversations/${b.conversation}/tickets`).set(b.admin.auth).send({ title: LIVE_TICKET }).expect(201);
      expect((await ticketOfB).id).toBe(live.body.id);
      const ownOfA = nextEvent(spy, 'message.created');
      await hub.http.post(`/api/conversations/${a.conversation}/messages`).set(a.admin.auth).send({ body: 'A note', kind: 'note' }).expect(201);
      await ownOfA;
      const heard = JSON.stringify(heardBySpy);
      expect(heard).not.toContain(b.conversation);
      expect(heard).not.toContain(b.ticket);
      expect(heard).not.toContain(LIVE_TICKET);
      expect(heard).not.toContain('B typing');
    });

    // Attack: a visitor on team A's web chat claims team B's visitor id (to read B's chat) and sends every widget
    // event, plain and with B's ids added: B's chat is neither shown, written to, nor typed into.
    it('keeps a visitor of team A’s web chat out of team B’s chats', async () => {
      const bAgent = await open(hub.url, '/inbox', { token: b.admin.token });
      const heardByB: unknown[] = [];
      bAgent.onAny((event: string, ...args: unknown[]) => heardByB.push([event, ...args]));
      const aWebchat = (await hub.infra.db.conversation.findUniqueOrThrow({ where: { id: a.conversation } })).channelId;
      const intruder = await open(hub.url, '/widget', { channelId: aWebchat, visitorId: b.visitorId });
      const session = await sessionOf<{ conversationId: string | null; messages: unknown[] }>(intruder);
      expect(session).toMatchObject({ conversationId: null, messages: [] });

      for (const [event, template] of Object.entries(WIDGET_FRAMES)) {
        const frame = withCall(template);
        const aimed = await emitWithAck<{ ok: boolean; code?: string }>(intruder, event, { ...frame, conversationId: b.conversation, channelId: b.channels.webchat, messageId: b.message });
        expect({ event, ok: aimed.ok }).toEqual({ event, ok: false });
        const plain = await emitWithAck<{ ok: boolean; code?: string; conversationId?: string }>(intruder, event, frame);
        expect({ event, conversationId: plain.conversationId }).not.toEqual({ event, conversationId: b.conversation });
        if (event.startsWith('call.')) expect({ event, plain }).toEqual({ event, plain: expect.objectContaining({ ok: false, code: 'call_not_found' }) });
      }

      // B's visitor types: once B's agent hears it, anything the intruder caused would have arrived before.
      const bVisitor = await open(hub.url, '/widget', { channelId: b.channels.webchat, visitorId: b.visitorId });
      await sessionOf(bVisitor);
      const heard = nextEvent<{ conversationId: string }>(bAgent, 'typing');
      expect(await emitWithAck(bVisitor, 'typing', { draft: 'B typing' })).toMatchObject({ ok: true });
      expect((await heard).conversationId).toBe(b.conversation);
      const isSentinel = (heard: unknown) => JSON.stringify(heard) === JSON.stringify(['typing', { conversationId: b.conversation, draft: 'B typing' }]);
      expect(heardByB.filter((heard) => !isSentinel(heard) && (heard as string[])[0] !== 'presence.updated')).toEqual([]);
    });
  });

  // Whatever the calls above answered, nothing of team B changed.
  it('left team B’s records as they were', async () => {
    expect(await stateOf(b.admin.teamId)).toEqual(before);
  });
});
