import type { INestApplicationContext } from '@nestjs/common';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';
import { logger } from '../logging/logger.js';
import { HubIoAdapter } from './hub-io-adapter.js';

/**
 * socket.io over Redis pub/sub: an event emitted to a room on one hub process reaches sockets held by the
 * others, so processes behind a load balancer act as one.
 */
export class RedisIoAdapter extends HubIoAdapter {
  private readonly pub: Redis;
  private readonly sub: Redis;

  constructor(
    app: INestApplicationContext,
    admits: () => boolean,
    redisUrl: string,
    private readonly key: string,
  ) {
    super(app, admits);
    this.pub = new Redis(redisUrl, { maxRetriesPerRequest: null });
    this.sub = this.pub.duplicate();
    // While the subscription is away (Redis restarted, the network cut), events other processes emit to this
    // process's sockets are gone for good. Once it is back, the sockets held here are dropped at the transport: the
    // inbox and the widget reconnect and catch up from the database, as after any lost connection.
    let away = false;
    this.sub.on('close', () => {
      away = true;
    });
    this.sub.on('ready', () => {
      if (!away) return;
      away = false;
      const dropped = this.reconnectElsewhere();
      logger.warn({ sockets: dropped }, 'socket events between hub processes were lost while Redis was away: sockets told to reconnect and catch up');
    });
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, options) as Server;
    server.adapter(createAdapter(this.pub, this.sub, { key: this.key }));
    return server;
  }

  async disconnect(): Promise<void> {
    await Promise.allSettled([this.pub.quit(), this.sub.quit()]);
  }
}
