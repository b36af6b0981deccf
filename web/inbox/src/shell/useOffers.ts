import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { answer, ApiError, hub } from '../api';
import type { Offer } from '../api';
import { useInboxEvent } from '../shared/socket';

/**
 * The chats offered to this member, rung on every screen (an agent in the admin screens still takes chats). Taking
 * one opens it at its address; an offer another agent took first just disappears.
 */
export function useOffers(onOffer: () => void) {
  const navigate = useNavigate();
  const [offers, setOffers] = useState<Offer[]>([]);
  const drop = (conversationId: string) => setOffers((list) => list.filter((o) => o.conversationId !== conversationId));

  useInboxEvent('offer', (offer) => {
    setOffers((list) => [...list.filter((o) => o.conversationId !== offer.conversationId), offer]);
    onOffer();
  });
  useInboxEvent('offer.withdrawn', (event) => drop(event.conversationId));

  // Each offer leaves at its own expiry, even if its withdrawal was missed (a socket cut while the tab slept): one
  // timer set for that moment, not a tick counted down, so a throttled background tab ends it late at worst.
  useEffect(() => {
    if (offers.length === 0) return;
    const next = Math.min(...offers.map((o) => new Date(o.expiresAt).getTime()));
    const timer = setTimeout(() => setOffers((list) => list.filter((o) => new Date(o.expiresAt).getTime() > Date.now())), Math.max(0, next - Date.now()));
    return () => clearTimeout(timer);
  }, [offers]);

  const accept = async (offer: Offer) => {
    try {
      await answer(hub.POST('/api/conversations/{id}/accept', { params: { path: { id: offer.conversationId } } }));
      drop(offer.conversationId);
      await navigate(`/conversations/${offer.conversationId}`);
    } catch (failure) {
      drop(offer.conversationId);
      if (!(failure instanceof ApiError)) throw failure;
    }
  };

  return { offers, accept };
}
