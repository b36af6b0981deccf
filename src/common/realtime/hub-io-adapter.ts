import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Server, ServerOptions } from 'socket.io';

/**
 * socket.io on the hub's HTTP server, taking handshakes only while the hub admits requests (`admits`): socket.io
 * answers its own requests before the front door sees them. A refused handshake is an error the clients retry with
 * their back-off, as they do after a lost connection.
 */
export class HubIoAdapter extends IoAdapter {
  /** The engine connections open on this process (one per browser tab, whatever namespaces it joined). */
  private readonly connections = new Set<{ close(): void; once(event: 'close', listener: () => void): unknown }>();
  private server: Server | null = null;

  constructor(
    app: INestApplicationContext,
    private readonly admits: () => boolean,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, {
      ...options,
      allowRequest: (_request, callback) => (this.admits() ? callback(null, true) : callback('not_ready', false)),
    } as ServerOptions) as Server;
    this.server = server;
    server.engine.on('connection', (connection: { close(): void; once(event: 'close', listener: () => void): unknown }) => {
      this.connections.add(connection);
      connection.once('close', () => this.connections.delete(connection));
    });
    return server;
  }

  /** The sockets connected to this process, by namespace (`/inbox`, `/widget`), for the metrics. */
  socketsByNamespace(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const [name, namespace] of this.server?._nsps ?? []) counts[name] = namespace.sockets.size;
    return counts;
  }

  /**
   * Drops every socket's connection without a goodbye. The inbox and the widget reconnect on their own after a lost
   * connection ("transport close"), to whichever process the balancer picks; they would not after a disconnect the
   * server said ("io server disconnect"), which is why this closes the transport instead.
   */
  reconnectElsewhere(): number {
    const open = [...this.connections];
    for (const connection of open) connection.close();
    return open.length;
  }
}
