import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { WhatsAppWebClient, WhatsAppWebClientOptions, WhatsAppWebRuntime } from '../../src/channels/index.js';

/** A message as whatsapp-web.js's `message` event hands it (see the library's Message JSDoc example). */
export interface FakeWebMessage {
  id: { fromMe: boolean; remote: string; id: string; _serialized: string };
  ack: number;
  hasMedia: boolean;
  body: string;
  type: string;
  timestamp: number;
  from: string;
  to: string;
  author?: string;
  fromMe: boolean;
  broadcast: boolean;
  _data?: Record<string, unknown>;
}

/**
 * A stand-in for whatsapp-web.js's `Client`: the same events (emitted by the test: `qr`, `ready`, `message`,
 * `message_ack`, `disconnected`) and methods. `sendMessage` answers like the library, with the sent Message.
 */
export class FakeWhatsAppWebClient extends EventEmitter implements WhatsAppWebClient {
  readonly sent: { chatId: string; content: string; message: FakeWebMessage }[] = [];
  readonly media = new Map<string, { mimetype: string; data: string }>();
  initialized = false;
  destroyed = false;
  /** Makes the next sendMessage throw, as the library does when the page is gone. */
  failNextSend: Error | null = null;

  constructor(readonly options: WhatsAppWebClientOptions) {
    super();
  }

  async initialize(): Promise<void> {
    this.initialized = true;
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
  }

  async sendMessage(chatId: string, content: string): Promise<FakeWebMessage> {
    if (this.failNextSend) {
      const error = this.failNextSend;
      this.failNextSend = null;
      throw error;
    }
    const id = randomBytes(10).toString('hex').toUpperCase();
    const message: FakeWebMessage = {
      id: { fromMe: true, remote: chatId, id, _serialized: `true_${chatId}_${id}` },
      ack: 0,
      hasMedia: false,
      body: content,
      type: 'chat',
      timestamp: Math.floor(Date.now() / 1000),
      from: '818011112222@c.us',
      to: chatId,
      fromMe: true,
      broadcast: false,
    };
    this.sent.push({ chatId, content, message });
    return message;
  }

  async getMessageById(messageId: string) {
    const media = this.media.get(messageId);
    return media ? { downloadMedia: async () => media } : null;
  }
}

/** The factory the hub is given: every client it makes, in order, for the test to drive. */
export function fakeWhatsAppWebRuntime(reconnectBaseMs: number): WhatsAppWebRuntime & { clients: FakeWhatsAppWebClient[] } {
  const clients: FakeWhatsAppWebClient[] = [];
  return {
    clients,
    reconnectBaseMs,
    createClient: async (options) => {
      const client = new FakeWhatsAppWebClient(options);
      clients.push(client);
      return client;
    },
  };
}

/** A customer's message in a one-to-one chat, shaped as the library's Message example. */
export function incomingMessage(from: string, body: string, patch: Partial<FakeWebMessage> = {}): FakeWebMessage {
  const id = randomBytes(10).toString('hex').toUpperCase();
  return {
    id: { fromMe: false, remote: from, id, _serialized: `false_${from}_${id}` },
    ack: -1,
    hasMedia: false,
    body,
    type: 'chat',
    timestamp: Math.floor(Date.now() / 1000),
    from,
    to: '818011112222@c.us',
    fromMe: false,
    broadcast: false,
    ...patch,
  };
}
