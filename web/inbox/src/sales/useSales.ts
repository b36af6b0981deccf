import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { answer, answerJson, hub } from '../api';
import type { Views } from '../api';
import { useInboxEvent } from '../shared/socket';
import { useResource } from '../shared/useResource';
import type { SalesFilter } from './words';

export type Sale = Views['Sale'];
export type SalesReport = Views['SalesReport'];

type SalesQuery = { memberId?: string; attributed?: 'true' | 'false'; reversed?: 'true' | 'false' };

/** What each of the team list's filters asks the hub for: the filtering and paging happen in the database. */
const TEAM_QUERIES: Record<SalesFilter, SalesQuery> = {
  all: {},
  unattributed: { attributed: 'false' },
  reversed: { reversed: 'true' },
};

/** A list of sales, newest first, a page at a time; `reload` reads the first page again. Give a stable `query`. */
function useSalesPages(query: SalesQuery | null) {
  const [items, setItems] = useState<Sale[] | null>(null);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const sequence = useRef(0);

  const reload = useCallback(async () => {
    if (!query) return;
    const mine = ++sequence.current;
    setLoading(true);
    try {
      const page = await answer(hub.GET('/api/sales', { params: { query } }));
      if (mine !== sequence.current) return;
      setItems(page.items);
      setNextCursor(page.nextCursor);
    } finally {
      if (mine === sequence.current) setLoading(false);
    }
  }, [query]);
  // Another filter: the list shown stays (marked busy) until the hub's answer replaces it, without a blank between.
  useEffect(() => {
    void reload();
  }, [reload]);

  const more = async () => {
    if (!query || !nextCursor) return;
    const mine = ++sequence.current;
    const page = await answer(hub.GET('/api/sales', { params: { query: { ...query, cursor: nextCursor } } }));
    if (mine !== sequence.current) return;
    setItems((current) => [...(current ?? []), ...page.items]);
    setNextCursor(page.nextCursor);
  };
  const replace = (sale: Sale) => setItems((current) => current?.map((s) => (s.id === sale.id ? sale : s)) ?? null);

  return { items, loading, hasMore: nextCursor !== null, more, reload, replace };
}

/** The member's own sales: a new one arrives live, and opening it marks it seen on the hub. */
export function useMySales(memberId: string) {
  const list = useSalesPages(useMemo(() => ({ memberId }), [memberId]));
  useInboxEvent('sale.created', () => void list.reload());
  useInboxEvent('sale.reversed', () => void list.reload());
  return {
    ...list,
    /** The credited member opened the sale: the hub records it, and the answer is what the list shows. */
    markSeen: async (sale: Sale) => list.replace(await answer(hub.POST('/api/sales/{id}/seen', { params: { path: { id: sale.id } } }))),
  };
}

const loadNames = async () => new Map((await answer(hub.GET('/api/members'))).items.map((member) => [member.id, member.name]));
const loadReport = () => answerJson(hub.GET('/api/sales/report'));

/** Supervisors: the team's sales under one filter, the members' names, and the report by day and member (the CSV's rows). */
export function useTeamSales(supervising: boolean) {
  const [filter, setFilter] = useState<SalesFilter>('all');
  const list = useSalesPages(supervising ? TEAM_QUERIES[filter] : null);
  const names = useResource(supervising ? loadNames : noNames).data;
  const report = useResource(supervising ? loadReport : noReport);
  useInboxEvent('floor.changed', (event) => {
    if (!supervising || event.cause !== 'sale') return;
    void list.reload();
    void report.reload();
  });
  return { filter, setFilter, list, names, report: report.data };
}

const noNames = async () => new Map<string, string>();
const noReport = async () => null;
