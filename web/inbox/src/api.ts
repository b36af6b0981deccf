import createClient from 'openapi-fetch';
import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import type { InboxClientEvents, InboxHandshake, InboxServerEvents } from '../../../src/common/realtime/events';
import type { components, paths } from './openapi-types';
import { shareToken } from './shared/worker';
import { describeError, fieldProblem } from './shared/error-catalog';
import type { Language } from './i18n';

// The hub's HTTP API, typed by openapi-types.ts (generated from openapi.json, which the server's zod views
// describe): a wrong path, parameter, body or answer field is a compile error here, not a blank in the page.

/** The views the hub answers with, by their name in openapi.json. */
export type Views = components['schemas'];

/** What a route takes as its JSON body. */
export type RequestBody<P extends keyof paths, M extends 'post' | 'put' | 'patch'> = paths[P][M] extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;

/** The signed-in member, as the login answered. */
export type Member = Views['SignedInMember'];
export type Presence = Views['Member']['status'];
export type Team = Views['Team'];

// The conversation, message and offer shapes the hub's socket sends: from the shared event map of `/inbox`
// (types only; the server's gateway is typed by the same map, and the HTTP API answers with the same views).
export type { InboxConversation as Conversation, InboxMessage as Message, InboxOffer as Offer, InboxSalesFigure as SalesFigure } from '../../../src/common/realtime/events';

/** The `/inbox` socket: a wrong event name or payload is a compile error. */
export type InboxSocket = Socket<InboxServerEvents, InboxClientEvents>;

/**
 * A refusal from the hub: its stable code, the code's sentence in the member's language (the error catalog; the
 * hub's own English `message` is kept as `serverMessage` and never shown), and what it said about each field it
 * named (in Japanese, a sentence of the catalog: the hub words its field problems in English).
 */
export class ApiError extends Error {
  readonly fields: Record<string, string>;

  constructor(
    readonly status: number,
    readonly code: string,
    readonly serverMessage: string,
    /** `details: [{field, message}]` of the hub's refusal, by field path (`config.apiKey`). */
    fields: Record<string, string> = {},
    /** The refusal's `details` when they are values (`{maxTextLength, length}`), for the sentence's placeholders. */
    readonly details?: unknown,
  ) {
    super(describeError(errorLanguage.current, code, details));
    this.fields = errorLanguage.current === 'ja' ? Object.fromEntries(Object.keys(fields).map((field) => [field, fieldProblem.ja])) : fields;
  }
}

/** The member's language for refusals, set by the app whenever it changes (refusals are made outside React). */
export const errorLanguage: { current: Language } = { current: 'ja' };

/** The hub's `details` when it names fields (validation, or a service naming the field it refuses). */
function fieldsOf(details: unknown): Record<string, string> {
  if (!Array.isArray(details)) return {};
  const fields: Record<string, string> = {};
  for (const detail of details as { field?: unknown; message?: unknown }[]) {
    if (typeof detail?.field === 'string' && typeof detail.message === 'string') fields[detail.field] ??= detail.message;
  }
  return fields;
}

const TOKEN_KEY = 'tsunagi:token';

export const session = {
  get token(): string | null {
    return localStorage.getItem(TOKEN_KEY);
  },
  set token(value: string | null) {
    if (value) localStorage.setItem(TOKEN_KEY, value);
    else localStorage.removeItem(TOKEN_KEY);
    shareToken(value);
  },
  /**
   * This device's own password change while it is in flight. The hub retires the old token and tells every socket
   * opened with it, this device's too, before it answers with the fresh token: that socket's news is no sign-out.
   */
  passwordChange: null as Promise<unknown> | null,
};

/** `hub.GET('/api/conversations/{id}', {params: {path: {id}}})` and so on; wrap each call in `answer()`. */
export const hub = createClient<paths>({ baseUrl: location.origin });

hub.use({
  onRequest({ request }) {
    if (session.token) request.headers.set('authorization', `Bearer ${session.token}`);
    return request;
  },
});

/** The answer of a call to the hub, or the hub's refusal as an ApiError (`{code, message}` in its body). */
export async function answer<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) {
    const refusal = (error ?? {}) as { code?: unknown; message?: unknown; details?: unknown; retryAfterSeconds?: unknown };
    const values = refusal.details && typeof refusal.details === 'object' && !Array.isArray(refusal.details) ? refusal.details : {};
    throw new ApiError(
      response.status,
      typeof refusal.code === 'string' ? refusal.code : 'error',
      typeof refusal.message === 'string' ? refusal.message : response.statusText,
      fieldsOf(refusal.details),
      typeof refusal.retryAfterSeconds === 'number' ? { ...values, retryAfterSeconds: refusal.retryAfterSeconds } : values,
    );
  }
  return data as T;
}

/**
 * `answer` for the routes that answer JSON or, with `format=csv`, a spreadsheet: asked without `format`, the text side
 * of their answer type never comes, and a CSV that did would be refused here rather than drawn as an object.
 */
export async function answerJson<T>(call: Promise<{ data?: T | string; error?: unknown; response: Response }>): Promise<T> {
  const data = await answer(call);
  if (typeof data === 'string') throw new ApiError(500, 'unexpected_answer', 'The hub answered text where JSON was asked for.');
  return data;
}

export function connectInbox(token: string): InboxSocket {
  return io('/inbox', { auth: { token } satisfies InboxHandshake, transports: ['websocket'] });
}
