import type { INestApplicationContext } from '@nestjs/common';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';
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
