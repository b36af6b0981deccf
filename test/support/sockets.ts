import { io, Socket } from 'socket.io-client';

/** Connects to a namespace; resolves once connected, rejects with the server's refusal. */
export function connect(
  url: string,
  namespace: '/inbox' | '/widget',
  auth: Record<string, unknown>,
  extra: {
    origin?: string;
    /** The browser the socket claims to be (the members list shows it). */
    userAgent?: string;
    /** Listeners set before connecting: what the server sends on connection is not missed. */
    before?: (socket: Socket) => void;
  } = {},
): Promise<Socket> {
  const socket = io(`${url}${namespace}`, {
    auth,
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    extraHeaders: extra.origin || extra.userAgent ? { ...(extra.origin ? { origin: extra.origin } : {}), ...(extra.userAgent ? { 'user-agent': extra.userAgent } : {}) } : undefined,
  });
  extra.before?.(socket);
  if (namespace === '/widget') {
    // Listen before connecting, as the widget does: the server greets right after the handshake, and both
    // packets can arrive in one read, before a listener added after `connect` would exist.
    const session = nextEvent(socket, 'session');
    session.catch(() => {});
    sessions.set(socket, session);
  }
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error: Error & { data?: unknown }) => {
      socket.close();
      reject(error);
    });
  });
}

const sessions = new WeakMap<Socket, Promise<unknown>>();

/** The `session` greeting a widget socket received on connecting. */
export function sessionOf<T = Record<string, unknown>>(visitor: Socket): Promise<T> {
  const session = sessions.get(visitor);
  if (!session) throw new Error('sessionOf needs a socket opened by connect() on /widget');
  return session as Promise<T>;
}

/** The next `event` (matching `predicate`) on a socket, or a rejection naming what was awaited. */
export function nextEvent<T = Record<string, unknown>>(socket: Socket, event: string, predicate: (payload: T) => boolean = () => true, timeoutMs = 5_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener);
      reject(new Error(`No '${event}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (payload: T) => {
      if (!predicate(payload)) return;
      clearTimeout(timer);
      socket.off(event, listener);
      resolve(payload);
    };
    socket.on(event, listener);
  });
}

/** Every `event` the socket receives from now on, in order. */
export function collect<T = Record<string, unknown>>(socket: Socket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event, (payload: T) => seen.push(payload));
  return seen;
}

/** Emits with an acknowledgement and resolves with the server's answer. */
export function emitWithAck<T = Record<string, unknown>>(socket: Socket, event: string, payload: unknown, timeoutMs = 5_000): Promise<T> {
  return socket.timeout(timeoutMs).emitWithAck(event, payload) as Promise<T>;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The sockets a suite opens, closed together when it ends (a socket left open keeps jest running). */
export function socketPool(): { open: typeof connect; closeAll(): void } {
  const opened: Socket[] = [];
  return {
    async open(...args: Parameters<typeof connect>) {
      const socket = await connect(...args);
      opened.push(socket);
      return socket;
    },
    closeAll() {
      for (const socket of opened.splice(0)) socket.close();
    },
  };
}
