import { useCallback, useState } from 'react';
import { answer, hub } from '../api';
import { useInboxEvent } from '../shared/socket';
import { useResource } from '../shared/useResource';

/** Who the member is, as far as this page cares: supervisors see merge proposals and may merge. */
interface Viewer {
  supervisor: boolean;
}

async function loadContact(id: string, viewer: Viewer) {
  const path = { params: { path: { id } } };
  const [contact, ledger, conversations, members, channels, proposals] = await Promise.all([
    answer(hub.GET('/api/contacts/{id}', path)),
    answer(hub.GET('/api/contacts/{id}/events', path)),
    answer(hub.GET('/api/conversations', { params: { query: { contactId: id, limit: 50 } } })),
    answer(hub.GET('/api/members')),
    answer(hub.GET('/api/channels')),
    viewer.supervisor ? answer(hub.GET('/api/contacts/merge-proposals')) : Promise.resolve({ items: [] }),
  ]);
  // The other contact of each proposal this contact is part of, by name (the hub lists only pairs still apart).
  const mine = proposals.items.filter((p) => p.contactId === id || p.otherContactId === id);
  const others = await Promise.all(
    mine.map(async (p) => {
      const otherId = p.contactId === id ? p.otherContactId : p.contactId;
      const other = await answer(hub.GET('/api/contacts/{id}', { params: { path: { id: otherId } } })).catch(() => null);
      return other && { proposalId: p.id, reason: p.reason, other };
    }),
  );
  return { contact, ledger: ledger.items, conversations: conversations.items, members, channels, proposals: others.filter((p) => p !== null) };
}

export type ContactPageData = Awaited<ReturnType<typeof loadContact>>;

/**
 * One contact's page: profile, consent ledger, conversations and proposals, read again after every change and
 * whenever the hub says this contact's consent moved (an SMS STOP while the page is open).
 */
export function useContact(id: string, viewer: Viewer) {
  const load = useCallback(() => loadContact(id, viewer), [id, viewer.supervisor]); // eslint-disable-line react-hooks/exhaustive-deps
  const { data, reload } = useResource(load);
  const [lastMerge, setLastMerge] = useState<{ mergeId: string; name: string } | null>(null);

  useInboxEvent('consent.changed', (event) => {
    if (event.contactId === id) void reload();
  });

  const path = { params: { path: { id } } };
  return {
    data,
    lastMerge,
    setBlocked: async (blocked: boolean) => {
      await answer(blocked ? hub.POST('/api/contacts/{id}/block', path) : hub.POST('/api/contacts/{id}/unblock', path));
      await reload();
    },
    setOwner: async (ownerId: string | null) => {
      await answer(hub.PATCH('/api/contacts/{id}', { ...path, body: { ownerId } }));
      await reload();
    },
    invite: async (channelId: string, channel: 'sms' | 'whatsapp' | 'email') => {
      await answer(hub.POST('/api/contacts/{id}/invitations', { ...path, body: { channelId, channel } }));
      await reload();
    },
    /** The other contact becomes part of this one; the page keeps the merge's id to undo it. */
    mergeHere: async (other: { id: string; name: string }) => {
      const { mergeId } = await answer(hub.POST('/api/contacts/{id}/merge', { params: { path: { id: other.id } }, body: { intoContactId: id } }));
      setLastMerge({ mergeId, name: other.name });
      await reload();
    },
    undoMerge: async () => {
      if (!lastMerge) return;
      await answer(hub.POST('/api/contacts/merges/{mergeId}/undo', { params: { path: { mergeId: lastMerge.mergeId } } }));
      setLastMerge(null);
      await reload();
    },
    erase: async () => {
      await answer(hub.DELETE('/api/contacts/{id}', path));
    },
  };
}
