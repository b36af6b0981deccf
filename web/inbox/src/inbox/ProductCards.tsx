import type { Message } from '../api';
import { fill, useWords } from '../i18n';
import { money } from '../shared/time';

type Card = NonNullable<Message['products']>[number];

const words = {
  ja: { opened: '{time}にお客様が開きました', notOpened: 'まだ開かれていません', was: '通常 {price}', page: '商品ページ' },
  en: { opened: 'The customer opened it at {time}', notOpened: 'Not opened yet', was: 'was {price}', page: 'Product page' },
};

/**
 * The product cards of a message as the agent sees them: what the customer was sent, and whether they opened each
 * card's link (it turns "opened" live, the moment they do). The agent's own link goes straight to the shop's page,
 * so looking at it never counts as the customer's opening.
 */
export function ProductCards(props: { products: Message['products']; language: string; timeZone: string }) {
  const text = useWords(words);
  if (!props.products?.length) return null;
  const time = new Intl.DateTimeFormat(props.language === 'ja' ? 'ja-JP' : 'en-GB', { timeZone: props.timeZone, hour: '2-digit', minute: '2-digit' });
  const price = (card: Card, minor: number) => (card.currency ? money({ [card.currency]: minor }, props.language) : '');
  return (
    <ul className="product-cards">
      {props.products.map((card, index) => (
        <li key={`${card.productId}-${index}`} className={`product-card${card.openedAt ? ' opened' : ''}`} aria-label={card.name}>
          {card.imageUrl && /^https?:\/\//i.test(card.imageUrl) && <img src={card.imageUrl} alt="" loading="lazy" />}
          <div>
            <a href={card.url} target="_blank" rel="noopener noreferrer" className="product-card-name" title={text.page}>
              {card.name}
            </a>
            {card.variant && <span className="product-card-variant">{card.variant}</span>}
            {card.price !== null && (
              <span className="product-card-price">
                {card.salePrice !== null && card.salePrice < card.price ? (
                  <>
                    {price(card, card.salePrice)} <s>{fill(text.was, { price: price(card, card.price) })}</s>
                  </>
                ) : (
                  price(card, card.price)
                )}
              </span>
            )}
            <span className="product-card-opened" role="status">
              {card.openedAt ? fill(text.opened, { time: time.format(new Date(card.openedAt)) }) : text.notOpened}
            </span>
          </div>
        </li>
      ))}
    </ul>
  );
}
