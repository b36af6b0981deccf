import { useCallback, useEffect, useRef, useState } from 'react';
import { answer, answerJson, hub } from '../../api';
import type { Presence, Views } from '../../api';
import { useInboxEvent, useSocket } from '../../shared/socket';

export type Queue = Views['Queue'];
export type TeamReport = Views['TeamReport'];
export type SalesReport = Views['SalesReport'];

/** Today's figures: the team report and the sales report of one day, as the reports page and their CSVs give them. */
export interface TodayFigures {
  day: string;
  timeZone: string;
  report: TeamReport;
  sales: SalesReport;
}

/** When the queue was read, by this browser's clock: waits grow from the hub's count by the time since. */
export interface FloorQueue extends Queue {
  readAt: number;
}

// Events come in bursts (a new chat is a message, a conversation change and its offers): one read answers a burst.
const QUEUE_READ_DELAY_MS = 250;
// The figures read a whole day of conversations: they follow more slowly than the queue.
const FIGURES_READ_DELAY_MS = 1_500;

/** The day it is now in `timeZone`, as the reports name days (2026-12-07). */
export function todayIn(timeZone: string, now = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/**
 * Reads `read` again a little after the last call of the returned function, and keeps only the newest answer: an
 * answer that was overtaken by a later read is dropped.
 */
function useReread<T>(read: (() => Promise<T>) | null, delayMs: number): { data: T | null; soon: () => void; now: () => Promise<void> } {
  const [data, setData] = useState<T | null>(null);
  const sequence = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const now = useCallback(async () => {
    if (!read) return;
    const mine = ++sequence.current;
    const next = await read();
    if (mine === sequence.current) setData(next);
  }, [read]);
  const soon = useCallback(() => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      void now();
    }, delayMs);
  }, [now, delayMs]);
  useEffect(() => {
    void now();
    return () => {
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
    };
  }, [now]);
  return { data, soon, now };
}

const readQueue = async (): Promise<FloorQueue> => ({ ...(await answer(hub.GET('/api/queue'))), readAt: Date.now() });

/**
 * The floor as the hub has it: the queue with each member's load, chats and offers, and today's figures. It counts
 * nothing itself: an event that says something changed only makes it read again.
 */
export function useFloor(timeZone: string | null) {
  const readFigures = useCallback(async (): Promise<TodayFigures | null> => {
    if (!timeZone) return null;
    const day = todayIn(timeZone);
    const [report, sales] = await Promise.all([
      answerJson(hub.GET('/api/reports/team', { params: { query: { from: day, to: day } } })),
      answerJson(hub.GET('/api/sales/report', { params: { query: { from: day, to: day } } })),
    ]);
    return { day, timeZone, report, sales };
  }, [timeZone]);
  const queue = useReread(readQueue, QUEUE_READ_DELAY_MS);
  const figures = useReread(timeZone ? readFigures : null, FIGURES_READ_DELAY_MS);

  const both = () => {
    queue.soon();
    figures.soon();
  };
  useInboxEvent('presence.updated', queue.soon);
  useInboxEvent('conversation.updated', both);
  // A message can start or end a wait for a reply, and a first reply is a first response.
  useInboxEvent('message.created', both);
  useInboxEvent('floor.changed', (event) => (event.cause === 'offer' ? both() : figures.soon()));
  // Events sent while the socket was away are lost: back again, the floor is read anew.
  const socket = useSocket();
  const { soon: queueSoon } = queue;
  const { soon: figuresSoon } = figures;
  useEffect(() => {
    if (!socket) return;
    const again = () => {
      queueSoon();
      figuresSoon();
    };
    socket.io.on('reconnect', again);
    return () => {
      socket.io.off('reconnect', again);
    };
  }, [socket, queueSoon, figuresSoon]);

  return {
    queue: queue.data,
    figures: figures.data,
    /** A supervisor hands a waiting chat to a member; `override` goes past their capacity. */
    assign: async (conversationId: string, memberId: string, override: boolean) => {
      await answer(hub.POST('/api/conversations/{id}/assign', { params: { path: { id: conversationId } }, body: { memberId, override } }));
      await queue.now();
    },
    /** A supervisor switches a member online, on a break or offline, with the reason their devices are told. */
    setPresence: async (memberId: string, status: Presence, reason: string) => {
      await answer(hub.PUT('/api/members/{id}/status', { params: { path: { id: memberId } }, body: { status, reason } }));
      await queue.now();
    },
  };
}
