/**
 * The socket protocols of `/inbox` and `/widget`: one event map per namespace, shared by the server's gateways and
 * the browser clients (which import types only: zod stays out of their bundles). docs/socket-protocols.md describes
 * them and is checked against the catalogs here.
 */
export type { AckOf, AllDescribed, Answer, Described, FieldProblem, Frame, FrameRefused, HandshakeRefusal, NamespaceCatalog } from './socket.events.js';
export * from './inbox.events.js';
export * from './inbox.schema.js';
export * from './inbox-views.schema.js';
export * from './widget.events.js';
export * from './widget.schema.js';
export * from './call.events.js';
export * from './call.schema.js';
export * from './ticket.schema.js';
