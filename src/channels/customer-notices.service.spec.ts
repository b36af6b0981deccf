import { describe, expect, it } from '@jest/globals';
import type { Namespace } from 'socket.io';
import { systemClock } from '../common/clock.js';
import { OutboundGuard } from '../common/outbound/index.js';
import type { WidgetClientEvents, WidgetServerEvents } from '../common/realtime/events/index.js';
import type { ChannelAccount, ChannelProvider } from './channel-adapter.js';
import { ChannelRegistry, registerAdapter } from './channel-registry.js';
import { ChannelsService } from './channels.service.js';
import { CustomerNotices } from './customer-notices.service.js';
import { LineAdapter } from './line/line.adapter.js';
import { SendgridAdapter } from './sendgrid/sendgrid.adapter.js';
import { ThreadKey } from './thread-key.js';
import { TwilioAdapter } from './twilio/twilio.adapter.js';
import { WebchatAdapter } from './webchat/webchat.adapter.js';
import { WebchatSender } from './webchat/webchat.sender.js';
import { WhatsAppCloudAdapter } from './whatsapp-cloud/whatsapp-cloud.adapter.js';
import { WhatsAppWebAdapter } from './whatsapp-web/whatsapp-web.adapter.js';
import type { WhatsAppWebSessions } from './whatsapp-web/whatsapp-web-sessions.service.js';
import type { HubConfig } from '../common/config/config.js';

type Emitted = { room: string; event: string; payload: unknown };

/** The `/widget` namespace as far as the sender uses it: what went to which room. */
function recordingNamespace(emitted: Emitted[]): Namespace<WidgetClientEvents, WidgetServerEvents> {
  const namespace: Pick<Namespace, 'to'> = {
    to: (room) => ({ emit: (event: string, payload: unknown) => (emitted.push({ room: String(room), event, payload }), true) }) as ReturnType<Namespace['to']>,
  };
  return namespace as Namespace<WidgetClientEvents, WidgetServerEvents>;
}

const account = (id: string, provider: ChannelProvider, type: ChannelAccount['type']): ChannelAccount => ({
  id,
  teamId: 't',
  type,
  provider,
  name: id,
  active: true,
  settings: {},
  secrets: {},
});

function setup() {
  const emitted: Emitted[] = [];
  const sender = new WebchatSender();
  sender.attach(recordingNamespace(emitted));
  const guard = new OutboundGuard({ allowedOrigins: [], maxDownloadBytes: 1024 });
  const registry = new ChannelRegistry({
    webchat: registerAdapter(new WebchatAdapter(sender)),
    twilio: registerAdapter(new TwilioAdapter(systemClock, { publicUrl: 'https://hub.example' } as HubConfig, guard)),
    line: registerAdapter(new LineAdapter(systemClock, guard)),
    'whatsapp-cloud': registerAdapter(new WhatsAppCloudAdapter(systemClock, guard)),
    'whatsapp-web': registerAdapter(new WhatsAppWebAdapter({} as WhatsAppWebSessions)),
    sendgrid: registerAdapter(new SendgridAdapter(systemClock, guard)),
  });
  const accounts = new Map([
    ['chat', account('chat', 'webchat', 'webchat')],
    ['sms', account('sms', 'twilio', 'sms')],
  ]);
  // Only `account` is reached: the rest of the service (database, secret box) stays out of this test.
  const channels: ChannelsService = Object.assign(Object.create(ChannelsService.prototype), { account: async (id: string) => accounts.get(id) ?? null });
  return { emitted, notices: new CustomerNotices(channels, registry) };
}

describe(CustomerNotices.name, () => {
  const visitor = { channelId: 'chat', threadKey: ThreadKey.ofVisitor('v-1') };
  const room = `chat:${ThreadKey.ofVisitor('v-1')}`;

  // The widget's events are the ones routing and the inbox sent through the web chat sender before: the same payloads.
  it('shows each notice in the web chat visitor’s widget, as its /widget event', async () => {
    const { emitted, notices } = setup();
    const opensAt = new Date('2026-12-07T00:00:00.000Z');
    expect(await notices.notify(visitor, { type: 'waiting', conversationId: 'c1', reason: 'closed', opensAt, form: true })).toBe(true);
    await notices.notify(visitor, { type: 'waiting', conversationId: 'c1', reason: 'busy', opensAt: null, form: false });
    await notices.notify(visitor, { type: 'missed', conversationId: 'c1' });
    await notices.notify(visitor, { type: 'slow_reply', conversationId: 'c1', waitedSeconds: 61 });
    await notices.notify(visitor, { type: 'typing', conversationId: 'c1' });
    expect(emitted).toEqual([
      { room, event: 'waiting', payload: { conversationId: 'c1', reason: 'closed', opensAt: '2026-12-07T00:00:00.000Z', form: true } },
      { room, event: 'waiting', payload: { conversationId: 'c1', reason: 'busy', opensAt: null, form: false } },
      { room, event: 'missed', payload: { conversationId: 'c1', form: true } },
      { room, event: 'slow_reply', payload: { conversationId: 'c1', waitedSeconds: 61, form: true } },
      { room, event: 'typing', payload: {} },
    ]);
  });

  // Routing and the inbox tell every conversation's customer without asking which channel it is on.
  it('skips a channel that shows no notices, and says so', async () => {
    const { emitted, notices } = setup();
    expect(await notices.notify({ channelId: 'sms', threadKey: ThreadKey.of({ kind: 'phone', address: '+15550001' }) }, { type: 'missed', conversationId: 'c2' })).toBe(false);
    expect(await notices.notify({ channelId: 'deleted', threadKey: ThreadKey.ofVisitor('v-2') }, { type: 'typing', conversationId: 'c3' })).toBe(false);
    expect(emitted).toEqual([]);
  });

  it('knows which providers show notices', () => {
    const { notices } = setup();
    expect(notices.providers()).toEqual(['webchat']);
    expect(notices.shownBy('webchat')).toBe(true);
    expect(notices.shownBy('twilio')).toBe(false);
    expect(notices.shownBy('fax')).toBe(false);
  });
});
