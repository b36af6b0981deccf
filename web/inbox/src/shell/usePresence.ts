import { useEffect, useState } from 'react';
import { answer, ApiError, hub } from '../api';
import type { Presence } from '../api';
import { useInboxEvent } from '../shared/socket';

/** This member's presence: read with the team's members (the login's answer does not carry it), then kept by the socket. */
export function usePresence(memberId: string) {
  const [presence, setPresence] = useState<Presence | ''>('');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void answer(hub.GET('/api/members')).then((page) => setPresence((known) => known || (page.items.find((m) => m.id === memberId)?.status ?? '')));
  }, [memberId]);

  useInboxEvent('presence.updated', (event) => {
    if (event.memberId === memberId) setPresence(event.status);
  });

  const change = async (status: Presence) => {
    setError(null);
    try {
      setPresence((await answer(hub.PUT('/api/members/me/status', { body: { status } }))).status);
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : String(failure));
    }
  };

  return { presence, error, change };
}
