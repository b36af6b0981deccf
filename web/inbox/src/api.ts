import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';

export interface Member {
  id: string;
  teamId: string;
  name: string;
  email: string;
  role: 'operator' | 'supervisor' | 'administrator';
  status: 'online' | 'break' | 'offline';
  training: boolean;
}

export interface Conversation {
  id: string;
  status: 'waiting' | 'open' | 'resolved';
  channel: { id: string; type: string; name: string };
  contact: { id: string; name: string };
  assigneeId: string | null;
  unreplied: boolean;
  outcome: string | null;
  lastMessageAt: string;
  lastCustomerMessageAt: string | null;
  lastMessagePreview: string | null;
}

export interface Message {
  id: string;
  conversationId: string;
  seq: string;
  direction: 'in' | 'out';
  kind: 'text' | 'media' | 'note' | 'event';
  body: string;
  author: { type: string; id: string | null };
  status: string;
  error: string | null;
  review: { feedback: string | null } | null;
  createdAt: string;
}

export interface Offer {
  conversationId: string;
  expiresAt: string;
  channel: { id: string; type: string };
  preview: string | null;
}

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

export function connectInbox(token: string): Socket {
  return io('/inbox', { auth: { token }, transports: ['websocket'] });
}
