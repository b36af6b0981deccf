import type { OutboundMessage, SendResult } from '../channel-adapter.js';
import { productCardsAsText } from '../product-cards.js';
import { chatIdOf } from './whatsapp-web.normalizer.js';

/**
 * The part of whatsapp-web.js's `Client` the hub uses: its events (`qr`, `ready`, `message`, `message_ack`,
 * `disconnected`, ...) and a few methods. Tests hand the session manager an EventEmitter that fills this shape.
 */
export interface WhatsAppWebClient {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  removeAllListeners(event?: string): unknown;
  initialize(): Promise<void>;
  destroy(): Promise<void>;
  sendMessage(chatId: string, content: string): Promise<{ id: { _serialized: string } }>;
  getMessageById?(messageId: string): Promise<{ downloadMedia(): Promise<{ mimetype: string; data: string } | undefined> } | null | undefined>;
}

export interface WhatsAppWebClientOptions {
  channelId: string;
  sessionName: string;
  /** Where LocalAuth keeps the login, so that a restart does not ask for the QR code again. */
  dataPath: string;
  chromiumPath: string;
}

export type WhatsAppWebClientFactory = (options: WhatsAppWebClientOptions) => Promise<WhatsAppWebClient>;

/** What the session manager runs on: the client factory, and how quickly it reconnects (tests shorten it). */
export interface WhatsAppWebRuntime {
  createClient: WhatsAppWebClientFactory;
  /** First wait before reconnecting; it doubles with each failure, up to five minutes. */
  reconnectBaseMs?: number;
}

export const WHATSAPP_WEB_RUNTIME = Symbol('WhatsAppWebRuntime');

/**
 * The real client: whatsapp-web.js driving the system's Chromium. Loaded on first use only, so that a hub
 * without a WhatsApp Web channel never loads puppeteer.
 */
export const createWhatsAppWebClient: WhatsAppWebClientFactory = async (options) => {
  // A CommonJS package: under ESM its exports arrive as the default export.
  const { default: wweb } = await import('whatsapp-web.js');
  const client = new wweb.Client({
    authStrategy: new wweb.LocalAuth({ clientId: options.sessionName, dataPath: options.dataPath }),
    puppeteer: {
      executablePath: options.chromiumPath,
      headless: true,
      // Chromium's sandbox needs user namespaces a container usually lacks; /dev/shm is small in containers.
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    },
  });
  // The part the hub uses, spelled out: the library's own types are wider (and per event), ours are what the
  // session manager reads through schemas.
  return {
    on: (event, listener) => client.on(event, listener),
    removeAllListeners: (event) => client.removeAllListeners(event),
    initialize: () => client.initialize(),
    destroy: () => client.destroy(),
    sendMessage: async (chatId, content) => await client.sendMessage(chatId, content),
    getMessageById: async (messageId) => await client.getMessageById(messageId),
  };
};

/** One reply through a ready client, to the customer's chat. */
export async function sendThrough(client: WhatsAppWebClient, message: OutboundMessage): Promise<SendResult> {
  // A session sends text: product cards go as lines with their links (WhatsApp draws a preview of the first).
  const text = message.products?.length ? productCardsAsText(message.body, message.products) : message.body;
  if (text.length === 0) return { ok: false, retry: false, code: 'empty_message', reason: 'WhatsApp cannot send an empty message.' };
  try {
    const sent = await client.sendMessage(chatIdOf(message.to), text);
    return { ok: true, providerMessageId: sent.id._serialized };
  } catch (error) {
    // The page went away under us (a disconnect mid-send): the session reconnects, the outbox retries.
    return { ok: false, retry: true, code: 'session_error', reason: `The WhatsApp Web session could not send (${error instanceof Error ? error.message : String(error)}); retrying.` };
  }
}

/** A received photo, voice note or file, downloaded through the session that received it. */
export async function downloadThrough(client: WhatsAppWebClient, messageId: string): Promise<{ data: Buffer; contentType: string }> {
  const message = await client.getMessageById?.(messageId);
  const media = message ? await message.downloadMedia() : undefined;
  // Thrown so the media job retries: the phone may be offline, or the media not yet downloadable.
  if (!media) throw new Error(`WhatsApp Web could not download the media of ${messageId}`);
  return { data: Buffer.from(media.data, 'base64'), contentType: media.mimetype };
}
