/**
 * What every socket.io namespace of the hub shares: how a frame is answered, how a refused handshake reads, and the
 * catalog shape the protocol document is checked against.
 *
 * This folder is the one description of the `/inbox` and `/widget` protocols. The server's gateways and both
 * browser clients import it (the browser with `import type` only, so no zod reaches a bundle), and socket.io's
 * typed `Server` / `Socket` generics make a wrong event name or payload a compile error on either side. It imports
 * nothing of the server but zod.
 */

/** A frame the hub refused: the same `code` and `message` an HTTP answer would carry (see docs/socket-protocols.md). */
export interface FrameRefused {
  ok: false;
  /** Stable snake_case: `invalid_request`, `not_found`, `rate_limited`, ... */
  code: string;
  message: string;
  /**
   * `invalid_request`: one `{field, message}` per bad field (`FieldProblem[]`); the few other codes that carry
   * details say so in the event's documentation. Typed `unknown`: the server cannot promise more per event.
   */
  details?: unknown;
  /** With `rate_limited`: whole seconds until the limit lets the client in again. */
  retryAfterSeconds?: number;
}

/** The acknowledgement of a frame: `{ok: true}` with what the event answers, or the refusal. */
export type Answer<Accepted extends object = object> = ({ ok: true } & Accepted) | FrameRefused;

/** One `{field, message}` per bad field of an `invalid_request`. */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * A refused handshake: socket.io's `connect_error` carries an `Error` whose `message` is the sentence and whose
 * `data` is this.
 */
export interface HandshakeRefusal {
  code: string;
  retryAfterSeconds?: number;
}

/** A client-to-server event: the frame, and the callback the server's answer comes back through. */
export type Frame<Payload, Ack> = (frame: Payload, ack: (answer: Ack) => void) => void;

/** The answer type of a client event of a namespace's map. */
export type AckOf<Events, E extends keyof Events> = Events[E] extends (frame: never, ack: (answer: infer A) => void) => void ? A : never;

/**
 * A namespace's events as data, for what types cannot do at run time (the protocol document's check): one line
 * per event saying when it is sent. `satisfies Record<keyof Map, string>` on each list makes a name missing from it,
 * or one it has that the map lacks, a compile error.
 */
export interface NamespaceCatalog<ClientEvents, ServerEvents> {
  namespace: string;
  clientToServer: Record<keyof ClientEvents & string, string>;
  serverToClient: Record<keyof ServerEvents & string, string>;
}

/**
 * `true` when every field of a server-side view is in its wire type, else the names of the fields left out. The
 * typed emits check that a view fits its wire type; this checks the other way, so that a field a module adds to its
 * view reaches the map (and the protocol document and the clients' types) too. Use through {@link AllDescribed}.
 */
export type Described<Wire, View> = [Exclude<keyof View, keyof Wire>] extends [never] ? true : Exclude<keyof View, keyof Wire>;

/** Compiles only when every entry is `true`: `type _Checked = AllDescribed<[Described<Wire, View>, ...]>`. */
export type AllDescribed<Checks extends true[]> = Checks;
