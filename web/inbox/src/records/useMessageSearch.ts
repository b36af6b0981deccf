import { useCallback, useRef, useState } from 'react';
import { answer, hub } from '../api';
import type { Views } from '../api';
import type { operations } from '../openapi-types';
import { saveFile } from '../shared/download';

export type MessageHit = Views['MessageHit'];
/** What the search and its CSV are asked for: the same filters for both. */
export type SearchTerms = Omit<NonNullable<operations['ExportsController_find']['parameters']['query']>, 'limit' | 'cursor'>;

const PAGE = 50;

interface Found {
  terms: SearchTerms;
  hits: MessageHit[];
  total: number | null;
  nextCursor: string | null;
}

/** The hits of the last search (the count comes with its first page; later pages are added below), and its CSV with the same terms. */
export function useMessageSearch() {
  const [found, setFound] = useState<Found | null>(null);
  // A slower earlier search must not overwrite a later one's hits.
  const latest = useRef(0);

  const search = useCallback(async (terms: SearchTerms) => {
    const asked = ++latest.current;
    const page = await answer(hub.GET('/api/messages/search', { params: { query: { ...terms, limit: PAGE } } }));
    if (asked === latest.current) setFound({ terms, hits: page.items, total: page.total, nextCursor: page.nextCursor });
  }, []);

  const more = async () => {
    if (!found?.nextCursor) return;
    const page = await answer(hub.GET('/api/messages/search', { params: { query: { ...found.terms, limit: PAGE, cursor: found.nextCursor } } }));
    setFound({ ...found, hits: [...found.hits, ...page.items], nextCursor: page.nextCursor });
  };

  const download = async () => {
    if (!found) return;
    saveFile(await answer(hub.GET('/api/exports/messages.csv', { params: { query: found.terms }, parseAs: 'blob' })), 'messages.csv');
  };

  return { found, search, more, download };
}
