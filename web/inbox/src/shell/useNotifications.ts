import { useCallback, useState } from 'react';
import { answer, hub } from '../api';
import type { Views } from '../api';
import { useInboxEvent } from '../shared/socket';
import { useResource } from '../shared/useResource';

export type StoredNotification = Views['StoredNotification'];

const load = () => answer(hub.GET('/api/notifications', { params: { query: { limit: 30 } } }));

/** The member's bell: kept by the hub (so a reload keeps it), new ones heard on the socket, read one by one. */
export function useNotifications() {
  const { data, reload } = useResource(load);
  const [heard, setHeard] = useState<StoredNotification[]>([]);

  useInboxEvent('notification.added', (notification) => setHeard((list) => [notification, ...list.filter((n) => n.id !== notification.id)]));

  const kept = data?.items ?? [];
  const items = [...heard.filter((n) => !kept.some((k) => k.id === n.id)), ...kept];
  const unread = (data?.unread ?? 0) + heard.filter((n) => !kept.some((k) => k.id === n.id) && !n.readAt).length;

  const markRead = useCallback(
    async (id: string) => {
      await answer(hub.POST('/api/notifications/{id}/read', { params: { path: { id } } }));
      // What the hub holds now, with the live ones it kept meanwhile.
      setHeard([]);
      await reload();
    },
    [reload],
  );

  return { items, unread, markRead };
}
