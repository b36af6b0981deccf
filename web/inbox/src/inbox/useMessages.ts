import { useEffect, useState } from 'react';
import { answer, hub } from '../api';
import type { Message } from '../api';
import { useInboxEvent } from '../shared/socket';

const bySeq = (a: Message, b: Message) => Number(BigInt(a.seq) - BigInt(b.seq));

/**
 * The open conversation's thread, read when it opens and kept by the socket, and the customer's draft as they type
 * (cleared when their message arrives).
 */
export function useMessages(conversationId: string | undefined) {
  const [thread, setThread] = useState<{ conversationId: string; messages: Message[] } | null>(null);
  const [typing, setTyping] = useState<Record<string, string>>({});

  useEffect(() => {
    if (!conversationId) return;
    let current = true;
    void answer(hub.GET('/api/conversations/{id}/messages', { params: { path: { id: conversationId }, query: { limit: 200 } } })).then((page) => {
      if (current) setThread({ conversationId, messages: page.items });
    });
    return () => {
      current = false;
    };
  }, [conversationId]);

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
