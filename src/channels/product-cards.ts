import { formatPrice } from '../common/text/money.js';
import type { WidgetProductCard } from '../common/realtime/events/index.js';
import type { OutboundProductCard, ProductCard } from './channel-adapter.js';

/** Cards one message may carry: a LINE carousel takes 12 bubbles, and more than a handful is a catalog, not advice. */
export const MAX_PRODUCT_CARDS = 10;

/** `￥3,999 (was ￥4,999)` on sale, `￥4,999` otherwise; null for a product without a price or currency. */
export function priceTextOf(card: Pick<ProductCard, 'price' | 'salePrice' | 'currency'>): string | null {
  if (card.price === null || !card.currency) return null;
  if (card.salePrice !== null && card.salePrice < card.price) return `${formatPrice(card.salePrice, card.currency)} (was ${formatPrice(card.price, card.currency)})`;
  return formatPrice(card.price, card.currency);
}

/** One card as lines of plain text: its name (and variant), its price, and the link to open. */
export function productCardText(card: OutboundProductCard): string {
  const name = card.variant ? `${card.name} (${card.variant})` : card.name;
  return [name, card.priceText, card.link].filter((line): line is string => Boolean(line)).join('\n');
}

/**
 * A message with cards for a channel that carries only text (SMS, WhatsApp Web): the agent's words, then each
 * card as a paragraph. Phones turn the links into taps.
 */
export function productCardsAsText(body: string, products: readonly OutboundProductCard[]): string {
  return [body.trim(), ...products.map(productCardText)].filter(Boolean).join('\n\n');
}

/** The address of a card's image if a provider may fetch it: only https (LINE and WhatsApp refuse others). */
export function httpsImageOf(card: ProductCard): string | null {
  return card.imageUrl && /^https:\/\//i.test(card.imageUrl) ? card.imageUrl : null;
}

/**
 * The words on a card's button, in the shop's language as its product names show it: Japanese names get
 * 「詳しく見る」, others "View". (The hub keeps no customer language; the shop's own wording is the best guess.)
 */
export function viewLabelFor(cards: readonly Pick<ProductCard, 'name'>[]): string {
  return cards.some((card) => /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u.test(card.name)) ? '詳しく見る' : 'View';
}

/** Cards as the widget draws them, each with its tracked link and the button's words. */
export function widgetProductCards(cards: readonly OutboundProductCard[]): WidgetProductCard[] {
  const label = viewLabelFor(cards);
  return cards.map((card) => ({ name: card.name, variant: card.variant, priceText: card.priceText, imageUrl: card.imageUrl, link: card.link, label }));
}
