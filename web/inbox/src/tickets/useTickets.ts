import { useCallback, useEffect, useRef, useState } from 'react';
import { answer, hub } from '../api';
import type { Views } from '../api';
import { useInboxEvent } from '../shared/socket';
import type { TicketList } from './words';

export type Ticket = Views['Ticket'];
export type TicketDetail = Views['TicketDetail'];

/** One of the lists, by due time; any ticket's change reads it again (the frame may move a ticket in or out). */
export function useTicketList(view: TicketList) {
  const [items, setItems] = useState<Ticket[] | null>(null);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const sequence = useRef(0);
  const reload = useCallback(async () => {
    const mine = ++sequence.current;
    const page = await answer(hub.GET('/api/tickets', { params: { query: { view } } }));
    if (mine !== sequence.current) return;
    setItems(page.items);
    setNextCursor(page.nextCursor);
  }, [view]);
  useEffect(() => {
    void reload();
  }, [reload]);
  useInboxEvent('ticket.updated', () => void reload());
  const more = async () => {
    if (!nextCursor) return;
    const page = await answer(hub.GET('/api/tickets', { params: { query: { view, cursor: nextCursor } } }));
    setItems((current) => [...(current ?? []), ...page.items]);
    setNextCursor(page.nextCursor);
  };
  return { items, hasMore: nextCursor !== null, more };
}

/** A ticket's page, read again whenever the hub says it changed (a colleague's edit, a reply joining). */
export function useTicket(id: string) {
  const [detail, setDetail] = useState<TicketDetail | null>(null);
  const reload = useCallback(async () => setDetail(await answer(hub.GET('/api/tickets/{id}', { params: { path: { id } } }))), [id]);
  useEffect(() => {
    void reload();
  }, [reload]);
  useInboxEvent('ticket.updated', (ticket) => {
    if (ticket.id === id) void reload();
  });
  return { detail, reload };
}

/** A conversation's or a contact's tickets, kept current by the same frame. */
export function useLinkedTickets(owner: { conversationId: string } | { contactId: string }) {
  const [items, setItems] = useState<Ticket[]>([]);
  const key = 'conversationId' in owner ? `c:${owner.conversationId}` : `p:${owner.contactId}`;
  const reload = useCallback(async () => {
    const page =
      'conversationId' in owner
        ? await answer(hub.GET('/api/conversations/{id}/tickets', { params: { path: { id: owner.conversationId } } }))
        : await answer(hub.GET('/api/contacts/{id}/tickets', { params: { path: { id: owner.contactId } } }));
    setItems(page.items);
    // `key` names the owner; the object itself is new on every render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  useEffect(() => {
    void reload();
  }, [reload]);
  useInboxEvent('ticket.updated', () => void reload());
  return { items, reload };
}
