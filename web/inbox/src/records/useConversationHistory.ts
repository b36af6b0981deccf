import { useCallback, useRef, useState } from 'react';
import { answer, hub } from '../api';
import type { Views } from '../api';
import type { operations } from '../openapi-types';
import { saveFile } from '../shared/download';

export type HistoryItem = Views['ConversationHistoryItem'];
/** What the list and the conversation CSV are asked for: the same filters for both (the CSV needs the period). */
export type HistoryTerms = Omit<NonNullable<operations['ExportsController_history']['parameters']['query']>, 'limit' | 'cursor'>;

const PAGE = 50;

interface Listed {
  terms: HistoryTerms;
  items: HistoryItem[];
  nextCursor: string | null;
}

/** The conversations the last terms picked, newest first, a page at a time; the CSV of all of them; one conversation's log. */
export function useConversationHistory() {
  const [listed, setListed] = useState<Listed | null>(null);
  // A slower earlier read must not overwrite a later one's list.
  const latest = useRef(0);

  const list = useCallback(async (terms: HistoryTerms) => {
    const asked = ++latest.current;
    const page = await answer(hub.GET('/api/conversation-history', { params: { query: { ...terms, limit: PAGE } } }));
    if (asked === latest.current) setListed({ terms, items: page.items, nextCursor: page.nextCursor });
  }, []);

  const more = async () => {
    if (!listed?.nextCursor) return;
    const page = await answer(hub.GET('/api/conversation-history', { params: { query: { ...listed.terms, limit: PAGE, cursor: listed.nextCursor } } }));
    setListed({ ...listed, items: [...listed.items, ...page.items], nextCursor: page.nextCursor });
  };

  const download = async () => {
    if (!listed?.terms.from || !listed.terms.to) return;
    const query = { ...listed.terms, from: listed.terms.from, to: listed.terms.to };
    saveFile(await answer(hub.GET('/api/exports/conversations.csv', { params: { query }, parseAs: 'blob' })), 'conversations.csv');
  };

  const downloadLog = async (id: string) => {
    saveFile(await answer(hub.GET('/api/conversations/{id}/export.csv', { params: { path: { id } }, parseAs: 'blob' })), `conversation-${id}.csv`);
  };

  return { listed, list, more, download, downloadLog };
}
