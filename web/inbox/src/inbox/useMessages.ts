import { useEffect, useState } from 'react';
import { answer, hub } from '../api';
import type { Message } from '../api';
import { useInboxEvent } from '../shared/socket';

const bySeq = (a: Message, b: Message) => Number(BigInt(a.seq) - BigInt(b.seq));

/** How many pages past the first are read to reach the message a search hit names (200 messages each). */
const PAGES_TO_FOCUS = 20;

/** The thread from its start: the first page, and the next ones until `focus` (a message id) is among them. */
async function readThread(conversationId: string, focus: string | undefined): Promise<Message[]> {
  const messages: Message[] = [];
  let cursor: string | undefined;
  for (let read = 0; read <= PAGES_TO_FOCUS; read++) {
    const page = await answer(hub.GET('/api/conversations/{id}/messages', { params: { path: { id: conversationId }, query: { limit: 200, ...(cursor ? { cursor } : {}) } } }));
    messages.push(...page.items);
    if (!focus || !page.nextCursor || page.items.some((message) => message.id === focus)) break;
    cursor = page.nextCursor;
  }
  return messages;
}

/**
 * The open conversation's thread, read when it opens and kept by the socket, and the customer's draft as they type
 * (cleared when their message arrives). `focus`: a message to read up to when it is further in than the first page.
 */
export function useMessages(conversationId: string | undefined, focus?: string) {
  const [thread, setThread] = useState<{ conversationId: string; messages: Message[] } | null>(null);
  const [typing, setTyping] = useState<Record<string, string>>({});

  useEffect(() => {
    if (!conversationId) return;
    let current = true;
    void readThread(conversationId, focus).then((messages) => {
      if (current) setThread({ conversationId, messages });
    });
    return () => {
      current = false;
    };
  }, [conversationId, focus]);

  const upsert = (message: Message) =>
    setThread((open) => {
      if (!open || open.conversationId !== message.conversationId) return open;
      const others = open.messages.filter((m) => m.id !== message.id);
      return { ...open, messages: [...others, message].sort(bySeq) };
    });
  useInboxEvent('message.created', (message) => {
    upsert(message);
    if (message.direction === 'in') setTyping((all) => ({ ...all, [message.conversationId]: '' }));
  });
  useInboxEvent('message.updated', upsert);
  useInboxEvent('typing', (event) => setTyping((all) => ({ ...all, [event.conversationId]: event.draft })));

  const open = thread && thread.conversationId === conversationId ? thread.messages : [];
  return { messages: open, draft: conversationId ? (typing[conversationId] ?? '') : '' };
}
