import { SubscribeMessage } from '@nestjs/websockets';
import type { AckOf } from './events/socket.events.js';

/**
 * `@SubscribeMessage` bound to a namespace's event map: the event must be one of the map's client events, and the
 * handler must resolve to that event's acknowledgement, or the gateway does not compile.
 *
 * ```ts
 * const WidgetFrame = frameHandler<WidgetClientEvents>();
 * @WidgetFrame('message') async message(socket, frame: unknown): Promise<WidgetAcks['message']> { ... }
 * ```
 */
export function frameHandler<ClientEvents>() {
  return <E extends keyof ClientEvents & string>(event: E) =>
    <Handler extends (...args: never[]) => Promise<AckOf<ClientEvents, E>>>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<Handler>) =>
      SubscribeMessage(event)(target, key, descriptor);
}
