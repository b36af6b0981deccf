import { createContext, useContext, useEffect, useEffectEvent, useState } from 'react';
import type { InboxServerEvents } from '../../../../src/common/realtime/events';
import { connectInbox, session } from '../api';
import type { InboxSocket } from '../api';

/** The one `/inbox` socket of the signed-in shell; areas listen on it with `useInboxEvent`. */
export const InboxSocketContext = createContext<InboxSocket | null>(null);

/** Why the hub refused or retired this device's session: the page signs out on these. */
const SIGNED_OUT_CODES = new Set(['unauthenticated', 'token_invalid', 'member_deactivated']);

/**
 * Opens `/inbox` with the token for as long as the shell is shown, and signs out when the hub says the session is
 * over (deactivation, a password changed or "log out everywhere" on another device).
 */
export function useInboxSocket(token: string, onSignedOut: () => void): InboxSocket | null {
  const [socket, setSocket] = useState<InboxSocket | null>(null);
  const signedOut = useEffectEvent(onSignedOut);
  useEffect(() => {
    const io = connectInbox(token);
    io.on('connect_error', (error: Error & { data?: { code?: string } }) => {
      if (SIGNED_OUT_CODES.has(error.data?.code ?? '')) signedOut();
    });
    io.on('signed_out', ({ code }) => {
      if (code !== 'password_changed') return signedOut();
      // The hub tells the old token's sockets before it answers the device that changed the password with a fresh
      // token: on that device, the answer (awaited, or already kept) is the news, and the socket reopens with it.
      if (session.token && session.token !== token) return;
      const ownChange = session.passwordChange;
      if (!ownChange) return signedOut();
      // A refused change here retired nothing: the news came from a change on another device.
      ownChange.then(
        () => undefined,
        () => signedOut(),
      );
    });
    setSocket(io);
    return () => {
      io.close();
      setSocket(null);
    };
  }, [token]);
  return socket;
}

export function useSocket(): InboxSocket | null {
  return useContext(InboxSocketContext);
}

/** Calls `handler` (its latest version) on each `event` the hub sends on `/inbox`: a typed event name and payload. */
export function useInboxEvent<E extends keyof InboxServerEvents>(event: E, handler: InboxServerEvents[E]): void {
  const socket = useSocket();
  const latest = useEffectEvent((...args: Parameters<InboxServerEvents[E]>) => (handler as (...a: Parameters<InboxServerEvents[E]>) => void)(...args));
  useEffect(() => {
    if (!socket) return;
    const listener = ((...args: Parameters<InboxServerEvents[E]>) => latest(...args)) as InboxServerEvents[E];
    // socket.io's typed `on` resolves its listener type per literal event name; for a generic `E` TypeScript cannot,
    // so the listener (typed by the same map just above) is passed through `never`.
    socket.on(event, listener as never);
    return () => {
      socket.off(event, listener as never);
    };
  }, [socket, event]);
}
