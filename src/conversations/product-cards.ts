import { randomBytes } from 'node:crypto';
import type { OutboundProductCard, ProductCard } from '../channels/index.js';
import { priceTextOf } from '../channels/index.js';
import type { InboxMessage } from '../common/realtime/events/index.js';

/** A card as the message row keeps it: the product as sent, its tracked link's token, and its first opening. */
export interface StoredProductCard extends ProductCard {
  token: string;
  openedAt: string | null;
}

/** Where a card's tracked link answers: the public route that counts an opening and sends the customer on. */
export const productLinkPath = (token: string) => `/p/${token}`;

/** 9 random bytes as base64url: 12 characters that fit an SMS line, 72 bits that nobody guesses. */
function newToken(): string {
  return randomBytes(9).toString('base64url');
}

export function withTokens(cards: readonly ProductCard[]): StoredProductCard[] {
  return cards.map((card) => ({ ...card, token: newToken(), openedAt: null }));
}

/** The row's cards, or none: anything not shaped as a card (an older row, a hand edit) is left out. */
export function storedCardsOf(json: unknown): StoredProductCard[] {
  if (!Array.isArray(json)) return [];
  return json.filter((card): card is StoredProductCard => Boolean(card) && typeof card === 'object' && typeof (card as StoredProductCard).token === 'string');
}

/** The cards as the thread shows them: the token stays inside the hub (an agent's click must not count). */
export function productCardViews(json: unknown): InboxMessage['products'] {
  const cards = storedCardsOf(json);
  if (cards.length === 0) return undefined;
  return cards.map(({ token: _token, ...card }) => card);
}

/** The cards as a provider gets them: each with its tracked link and its price written out. */
export function outboundCards(json: unknown, publicUrl: string): OutboundProductCard[] {
  return storedCardsOf(json).map(({ token, openedAt: _openedAt, ...card }) => ({ ...card, link: `${publicUrl}${productLinkPath(token)}`, priceText: priceTextOf(card) }));
}
