import { useCallback, useEffect, useState } from 'react';
import { answer, hub } from '../api';
import type { Conversation } from '../api';
import { useInboxEvent } from '../shared/socket';

export type View = 'all' | 'mine' | 'waiting';
export type ReplyFilter = 'any' | 'unreplied' | 'replied';
export interface ConversationFilters {
  view: View;
  replyFilter: ReplyFilter;
  favourites: boolean;
}

const newestFirst = (a: Conversation, b: Conversation) => b.lastMessageAt.localeCompare(a.lastMessageAt);

/**
 * The list as the filters ask for it, read once per change of filters and then kept by `conversation.updated`.
 * `opened` (the conversation in the address) is read by itself when the list does not hold it: a reload on
 * `/app/conversations/:id` of a resolved or filtered-out conversation keeps it on screen.
 */
export function useConversations(filters: ConversationFilters, opened: string | undefined) {
  const { view, replyFilter, favourites } = filters;
  const [conversations, setConversations] = useState<Conversation[]>([]);
  const [loaded, setLoaded] = useState(false);

  const reload = useCallback(async () => {
    const query = {
      view,
      limit: 100,
      ...(replyFilter !== 'any' ? ({ unreplied: replyFilter === 'unreplied' ? 'true' : 'false' } as const) : {}),
      ...(favourites ? ({ favorite: 'true' } as const) : {}),
    };
    const page = await answer(hub.GET('/api/conversations', { params: { query } }));
    setConversations(page.items.filter((c) => c.status !== 'resolved' || view === 'all'));
    setLoaded(true);
  }, [view, replyFilter, favourites]);

  useEffect(() => {
    void reload();
  }, [reload]);

  const missing = loaded && opened !== undefined && !conversations.some((c) => c.id === opened);
  useEffect(() => {
    if (!missing || !opened) return;
    void answer(hub.GET('/api/conversations/{id}', { params: { path: { id: opened } } })).then(
      (conversation) => setConversations((list) => (list.some((c) => c.id === conversation.id) ? list : [conversation, ...list].sort(newestFirst))),
      () => undefined,
    );
  }, [missing, opened]);

  useInboxEvent('conversation.updated', (conversation) => {
    setConversations((list) => {
      const known = list.some((c) => c.id === conversation.id);
      const next = known ? list.map((c) => (c.id === conversation.id ? conversation : c)) : [conversation, ...list];
      return next.sort(newestFirst);
    });
  });

  return { conversations, reload };
}
