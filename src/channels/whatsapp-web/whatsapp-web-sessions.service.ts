import { Inject, Injectable, OnApplicationShutdown, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { HUB_CONFIG } from '../../common/config/config.js';
import type { HubConfig } from '../../common/config/config.js';
import { DATABASE } from '../../common/database/database.js';
import type { Db } from '../../common/database/database.js';
import { logger } from '../../common/logging/logger.js';
import type { ChannelPairing, InboundEvent, OutboundMessage, SendResult } from '../channel-adapter.js';
import { ChannelInbound } from '../inbound-port.js';
import { normalizeWhatsAppWebAck, normalizeWhatsAppWebMessage } from './whatsapp-web.normalizer.js';
import type { WhatsAppWebAccount } from './whatsapp-web.schema.js';
import { WHATSAPP_WEB_RUNTIME, createWhatsAppWebClient, downloadThrough, sendThrough } from './whatsapp-web.sender.js';
import type { WhatsAppWebClient, WhatsAppWebRuntime } from './whatsapp-web.sender.js';
import { CLOCK } from '../../common/clock.js';
import type { Clock } from '../../common/clock.js';
import { onDemand } from '../../common/on-demand.js';

/** The QR code renderer, loaded with the first pairing code a WhatsApp Web channel shows. */
const qrCodes = onDemand(async () => (await import('qrcode')).default);

type State = ChannelPairing['state'];

interface Session {
  account: WhatsAppWebAccount;
  client: WhatsAppWebClient | null;
  /** The client the listeners belong to: events of a client replaced since are ignored. */
  generation: number;
  failures: number;
  /** The client said `ready` and has not disconnected since: only then may it send. */
  ready: boolean;
  reconnect: NodeJS.Timeout | null;
  held: boolean;
}

// A lease a little longer than three renewals: a process that dies frees its sessions within a minute.
const LEASE_MS = 60_000;
const RENEW_MS = 20_000;
const MAX_RECONNECT_MS = 5 * 60_000;
// An inbound message has no redelivery here (nobody will send it again): a failed store is tried a few times.
const INGEST_ATTEMPTS = 5;

/**
 * One whatsapp-web.js client per WhatsApp Web channel, in one hub process at a time (a lease in the database),
 * started only when such a channel exists. It turns the client's events into the hub's: the QR code and the
 * state for the administrator, messages and acks for ingest; and reconnects with backoff when WhatsApp drops
 * the session (the library destroys a client on `disconnected`, so a new one is made each time).
 */
@Injectable()
export class WhatsAppWebSessions implements OnApplicationShutdown {
  private readonly sessions = new Map<string, Session>();
  private readonly holder = randomUUID();
  private readonly runtime: WhatsAppWebRuntime;
  private renewTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly inbound: ChannelInbound,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(WHATSAPP_WEB_RUNTIME) runtime?: WhatsAppWebRuntime,
  ) {
    this.runtime = runtime ?? { createClient: createWhatsAppWebClient };
  }

  async activate(account: WhatsAppWebAccount): Promise<void> {
    if (this.closed) return;
    if (!account.active) return this.deactivate(account.id);
    const existing = this.sessions.get(account.id);
    if (existing) {
      const renamed = existing.account.settings.sessionName !== account.settings.sessionName;
      existing.account = account;
      // Another session name is another login: start over with it.
      if (renamed && existing.held) await this.restart(existing);
      return;
    }
    const session: Session = { account, client: null, generation: 0, failures: 0, ready: false, reconnect: null, held: false };
    this.sessions.set(account.id, session);
    this.renewTimer ??= setInterval(() => void this.renewLeases(), RENEW_MS).unref();
    await this.db.channelSession.upsert({ where: { channelId: account.id }, create: { channelId: account.id }, update: {} });
    if (await this.claim(account.id)) {
      session.held = true;
      await this.start(session);
    }
  }

  async deactivate(channelId: string): Promise<void> {
    const session = this.sessions.get(channelId);
    if (!session) return;
    this.sessions.delete(channelId);
    await this.stop(session);
    if (session.held) {
      await this.db.channelSession.updateMany({ where: { channelId, holder: this.holder }, data: { holder: null, state: 'disconnected', qr: null, detail: 'switched off', leaseUntil: this.clock.now() } });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    if (this.renewTimer) clearInterval(this.renewTimer);
    for (const session of [...this.sessions.values()]) {
      this.sessions.delete(session.account.id);
      await this.stop(session);
      // Let another process take over at once rather than after the lease.
      if (session.held) await this.db.channelSession.updateMany({ where: { channelId: session.account.id, holder: this.holder }, data: { holder: null, leaseUntil: this.clock.now() } }).catch(() => {});
    }
  }

  async pairing(channelId: string): Promise<ChannelPairing> {
    const row = await this.db.channelSession.findUnique({ where: { channelId } });
    const qr = row?.state === 'pairing' ? row.qr : null;
    return {
      state: row?.state ?? 'starting',
      qr,
      qrDataUrl: qr ? await (await qrCodes()).toDataURL(qr, { errorCorrectionLevel: 'M', margin: 2, width: 264 }) : null,
      detail: row?.detail ?? null,
      updatedAt: row?.updatedAt.toISOString() ?? null,
    };
  }

  async send(channelId: string, message: OutboundMessage): Promise<SendResult> {
    const session = this.sessions.get(channelId);
    if (!session?.client || !session.ready) {
      // Kept queued: it goes out once the phone is paired and the session is up again.
      return { ok: false, retry: true, code: 'session_not_ready', reason: 'The WhatsApp Web session is not connected (scan the QR code, or wait for it to reconnect); the message will be sent then.' };
    }
    return sendThrough(session.client, message);
  }

  async fetchContent(channelId: string, messageId: string): Promise<{ data: Buffer; contentType: string }> {
    const client = this.sessions.get(channelId)?.client;
    if (!client) throw new Error('The WhatsApp Web session is not running in this process');
    return downloadThrough(client, messageId);
  }

  /** Takes the session when nobody holds it or its holder stopped renewing: one conditional update decides. */
  private async claim(channelId: string): Promise<boolean> {
    const now = this.clock.now();
    const { count } = await this.db.channelSession.updateMany({
      where: { channelId, OR: [{ holder: null }, { holder: this.holder }, { leaseUntil: { lt: now } }] },
      data: { holder: this.holder, leaseUntil: new Date(now.getTime() + LEASE_MS) },
    });
    return count === 1;
  }

  private async renewLeases(): Promise<void> {
    for (const session of this.sessions.values()) {
      try {
        const held = await this.claim(session.account.id);
        if (held && !session.held) {
          session.held = true;
          await this.start(session);
        } else if (!held && session.held) {
          // Another process took it over (this one stalled past its lease): step back.
          session.held = false;
          await this.stop(session);
        }
      } catch (error) {
        logger.warn({ err: error, channelId: session.account.id }, 'WhatsApp Web lease renewal failed');
      }
    }
  }

  private async start(session: Session): Promise<void> {
    const channelId = session.account.id;
    const generation = ++session.generation;
    await this.setState(channelId, 'starting', { qr: null, detail: null });
    const { settings } = session.account;
    let client: WhatsAppWebClient;
    try {
      client = await this.runtime.createClient({
        channelId,
        sessionName: settings.sessionName,
        dataPath: join(this.config.dataDir, 'whatsapp-web', channelId),
        chromiumPath: this.config.chromiumPath,
      });
    } catch (error) {
      return this.disconnected(session, generation, `the client could not be created: ${error instanceof Error ? error.message : String(error)}`);
    }
    session.client = client;
    const current = () => session.generation === generation && this.sessions.get(channelId) === session;
    client.on('qr', (qr: unknown) => {
      if (current()) void this.setState(channelId, 'pairing', { qr: String(qr), detail: null });
    });
    client.on('ready', () => {
      if (!current()) return;
      session.failures = 0;
      session.ready = true;
      void this.setState(channelId, 'ready', { qr: null, detail: null });
    });
    client.on('auth_failure', (message: unknown) => {
      if (current()) logger.warn({ channelId, message }, 'WhatsApp Web could not restore its login; a new QR code follows');
    });
    client.on('message', (message: unknown) => {
      if (current()) void this.ingest(session, normalizeWhatsAppWebMessage(message, this.clock.now()));
    });
    client.on('message_ack', (message: unknown, ack: unknown) => {
      if (current()) void this.ingest(session, normalizeWhatsAppWebAck(message, ack, this.clock.now()));
    });
    client.on('disconnected', (reason: unknown) => {
      if (current()) void this.disconnected(session, generation, String(reason));
    });
    client.initialize().catch((error: unknown) => {
      if (current()) void this.disconnected(session, generation, `the browser could not start: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  /** WhatsApp dropped the session (or it never came up): shown, then a new client after a growing wait. */
  private async disconnected(session: Session, generation: number, reason: string): Promise<void> {
    if (session.generation !== generation || this.sessions.get(session.account.id) !== session) return;
    logger.warn({ channelId: session.account.id, reason }, 'WhatsApp Web session disconnected');
    const client = session.client;
    session.client = null;
    session.ready = false;
    // The library destroys the client itself on `disconnected`; a second destroy must not stop the reconnect.
    await client?.destroy().catch(() => {});
    client?.removeAllListeners();
    await this.setState(session.account.id, 'disconnected', { qr: null, detail: reason });
    const wait = Math.min((this.runtime.reconnectBaseMs ?? 2_000) * 2 ** session.failures, MAX_RECONNECT_MS);
    session.failures += 1;
    session.reconnect = setTimeout(() => {
      session.reconnect = null;
      if (this.sessions.get(session.account.id) === session && session.held && !this.closed) void this.start(session);
    }, wait);
    session.reconnect.unref();
  }

  private async restart(session: Session): Promise<void> {
    await this.stop(session);
    await this.start(session);
  }

  private async stop(session: Session): Promise<void> {
    session.generation += 1;
    if (session.reconnect) clearTimeout(session.reconnect);
    session.reconnect = null;
    const client = session.client;
    session.client = null;
    session.ready = false;
    client?.removeAllListeners();
    await client?.destroy().catch((error: unknown) => logger.warn({ err: error, channelId: session.account.id }, 'WhatsApp Web client did not close cleanly'));
  }

  private async setState(channelId: string, state: State, data: { qr: string | null; detail: string | null }): Promise<void> {
    try {
      await this.db.channelSession.updateMany({ where: { channelId, holder: this.holder }, data: { state, ...data } });
    } catch (error) {
      logger.warn({ err: error, channelId }, 'WhatsApp Web state could not be saved');
    }
  }

  private async ingest(session: Session, event: InboundEvent | null): Promise<void> {
    if (!event) return;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.inbound.target.ingest(session.account, [event]);
        return;
      } catch (error) {
        if (attempt >= INGEST_ATTEMPTS || this.closed) {
          logger.error({ err: error, channelId: session.account.id }, 'a WhatsApp Web event could not be stored');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt).unref());
      }
    }
  }
}
