import { Injectable } from '@nestjs/common';
import type { Namespace } from 'socket.io';
import type { ChannelAccount, OutboundMessage, SendResult } from '../channel-adapter.js';
import type { VisitorMessage } from '../inbound-port.js';

export const visitorRoom = (channelId: string, visitorId: string) => `visitor:${channelId}:${visitorId}`;

/**
 * Sends to a visitor's browser: every tab of the visitor is in one room. Through socket.io's Redis adapter
 * this reaches the visitor even when their socket is held by another hub process.
 */
@Injectable()
export class WebchatSender {
  private namespace: Namespace | null = null;

  attach(namespace: Namespace): void {
    this.namespace = namespace;
  }

  emit(channelId: string, visitorId: string, event: string, payload: unknown): void {
    this.namespace?.to(visitorRoom(channelId, visitorId)).emit(event, payload);
  }

  async send(channel: ChannelAccount, message: OutboundMessage): Promise<SendResult> {
    if (!this.namespace) return { ok: false, retry: true, code: 'widget_not_ready', reason: 'The web chat server is starting.' };
    const payload: VisitorMessage = {
      id: message.messageId,
      seq: message.seq,
      direction: 'out',
      body: message.body,
      author: { type: message.author.type, name: message.author.name },
      createdAt: message.createdAt.toISOString(),
    };
    this.emit(channel.id, message.to.address, 'message', payload);
    // A visitor who is away reads it from the history on their next connection.
    return { ok: true, providerMessageId: message.messageId };
  }
}
