import { Injectable } from '@nestjs/common';
import type { Namespace } from 'socket.io';
import type { WidgetClientEvents, WidgetMessage, WidgetServerEvents } from '../../common/realtime/events/index.js';
import type { ChannelAccount, CustomerNotice, OutboundMessage, SendResult } from '../channel-adapter.js';
import { widgetProductCards } from '../product-cards.js';
import { ThreadKey } from '../thread-key.js';

/** Every tab of a visitor, on one channel: the room is the visitor's thread on that channel. */
export const visitorRoom = (channelId: string, visitorId: string) => `${channelId}:${ThreadKey.ofVisitor(visitorId)}`;

/**
 * Sends to a visitor's browser: every tab of the visitor is in one room. Through socket.io's Redis adapter
 * this reaches the visitor even when their socket is held by another hub process.
 */
@Injectable()
export class WebchatSender {
  private namespace: Namespace<WidgetClientEvents, WidgetServerEvents> | null = null;

  attach(namespace: Namespace<WidgetClientEvents, WidgetServerEvents>): void {
    this.namespace = namespace;
  }

  /** One of `/widget`'s server events (the shared map's), to every tab of the visitor. */
  emit<E extends keyof WidgetServerEvents>(channelId: string, visitorId: string, event: E, ...payload: Parameters<WidgetServerEvents[E]>): void {
    this.namespace?.to(visitorRoom(channelId, visitorId)).emit(event, ...payload);
  }

  /** A notice of the hub's as the widget shows it: a banner (with the message form where it says so), or typing. */
  notify(channelId: string, visitorId: string, notice: CustomerNotice): void {
    const { conversationId } = notice;
    switch (notice.type) {
      case 'waiting':
        return this.emit(channelId, visitorId, 'waiting', { conversationId, reason: notice.reason, opensAt: notice.opensAt?.toISOString() ?? null, form: notice.form });
      case 'missed':
        return this.emit(channelId, visitorId, 'missed', { conversationId, form: true });
      case 'slow_reply':
        return this.emit(channelId, visitorId, 'slow_reply', { conversationId, waitedSeconds: notice.waitedSeconds, form: true });
      case 'typing':
        return this.emit(channelId, visitorId, 'typing', {});
    }
  }

  async send(channel: ChannelAccount, message: OutboundMessage): Promise<SendResult> {
    if (!this.namespace) return { ok: false, retry: true, code: 'widget_not_ready', reason: 'The web chat server is starting.' };
    const payload: WidgetMessage = {
      id: message.messageId,
      seq: message.seq,
      direction: 'out',
      body: message.body,
      author: { type: message.author.type, name: message.author.name },
      createdAt: message.createdAt.toISOString(),
      ...(message.attachments.length > 0
        ? {
            attachments: message.attachments.flatMap((a) =>
              a.url ? [{ url: a.url, thumbnailUrl: a.thumbnailUrl ?? null, name: a.name ?? 'file', contentType: a.contentType ?? 'application/octet-stream', kind: a.kind ?? 'document' }] : [],
            ),
          }
        : {}),
      ...(message.products?.length ? { products: widgetProductCards(message.products) } : {}),
    };
    this.emit(channel.id, message.to.address, 'message', payload);
    // A visitor who is away reads it from the history on their next connection.
    return { ok: true, providerMessageId: message.messageId };
  }
}
