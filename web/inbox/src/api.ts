import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import type { InboxClientEvents, InboxHandshake, InboxServerEvents } from '../../../src/common/realtime/events';

export interface Member {
  id: string;
  teamId: string;
  name: string;
  email: string;
  role: 'operator' | 'supervisor' | 'administrator';
  status: 'online' | 'break' | 'offline';
  training: boolean;
}

// The conversation, message and offer shapes the hub's socket and API send: from the shared event map of `/inbox`
// (types only; the server's gateway is typed by the same map).
export type { InboxConversation as Conversation, InboxMessage as Message, InboxOffer as Offer, InboxSalesFigure as SalesFigure } from '../../../src/common/realtime/events';

/** The `/inbox` socket: a wrong event name or payload is a compile error. */
export type InboxSocket = Socket<InboxServerEvents, InboxClientEvents>;

export interface Team {
  id: string;
  name: string;
  timeZone: string;
  settings: { enterSends?: boolean };
}

/** A refusal from the hub: its code and the sentence it gave. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const TOKEN_KEY = 'tsunagi:token';

export const session = {
  get token(): string | null {
    return localStorage.getItem(TOKEN_KEY);
  },
  set token(value: string | null) {
    if (value) localStorage.setItem(TOKEN_KEY, value);
    else localStorage.removeItem(TOKEN_KEY);
  },
};

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(session.token ? { authorization: `Bearer ${session.token}` } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  if (response.status === 204) return undefined as T;
  const data = (await response.json().catch(() => ({}))) as { code?: string; message?: string };
  if (!response.ok) throw new ApiError(response.status, data.code ?? 'error', data.message ?? response.statusText);
  return data as T;
}

export function connectInbox(token: string): InboxSocket {
  return io('/inbox', { auth: { token } satisfies InboxHandshake, transports: ['websocket'] });
}
