import { useEffect, useState } from 'react';
import { answer, hub } from '../api';
import type { InboxSocket, Views } from '../api';
import { fill, useText } from '../i18n';

type Product = Views['ShopperProduct'];
type ShopperActivity = Views['ShopperActivity'];

/** A price in the currency's minor unit (yen, cents), written the way the currency is. */
function money(product: Product): string {
  if (product.price === undefined) return '';
  const format = new Intl.NumberFormat(undefined, { style: 'currency', currency: product.currency ?? 'JPY' });
  return format.format(product.price / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 0));
}

/** What the shopper behind the chat is looking at, has viewed and has in the cart: read on opening, kept live. */
/**
 * `onSend`: the shopper's viewed products may be sent back as product cards (found in the catalog by their SKU).
 */
export function ShopperPanel(props: { conversationId: string; socket: InboxSocket | null; onSend?: (sku: string) => void }) {
  const { conversationId, socket } = props;
  const text = useText();
  const [activity, setActivity] = useState<ShopperActivity | null>(null);

  useEffect(() => {
    let current = true;
    const load = () => {
      answer(hub.GET('/api/conversations/{id}/shopper-activity', { params: { path: { id: conversationId } } })).then(
        (read) => current && setActivity(read),
        () => current && setActivity(null),
      );
    };
    const onActivity = (event: { conversationId: string }) => {
      if (event.conversationId === conversationId) load();
    };
    load();
    socket?.on('shopper.activity', onActivity);
    return () => {
      current = false;
      socket?.off('shopper.activity', onActivity);
    };
  }, [conversationId, socket]);

  if (!activity || (!activity.now && activity.viewed.length === 0 && activity.cart.length === 0)) return null;
  const now = activity.now?.product ? `${activity.now.product.name ?? activity.now.product.sku} ${money(activity.now.product)}` : activity.now?.url;
  return (
    <aside className="shopper" aria-label={text.shopper.title}>
      {now && (
        <p>
          <strong>{text.shopper.now}</strong> {now}
        </p>
      )}
      {activity.viewed.length > 0 && (
        <div className="viewed">
          <strong>{text.shopper.viewed}</strong>
          <ul>
            {activity.viewed.map((product) => (
              <li key={product.sku}>
                {`${product.name ?? product.sku} ${money(product)} (${fill(text.shopper.views, { n: product.views })})`}
                {props.onSend && (
                  <button type="button" className="send-card" aria-label={fill(text.shopper.send, { name: product.name ?? product.sku })} onClick={() => props.onSend!(product.sku)}>
                    ↗
                  </button>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
      {activity.cart.length > 0 && (
        <p>
          <strong>{text.shopper.cart}</strong> {activity.cart.map((product) => `${product.name ?? product.sku} × ${product.quantity}`).join(' · ')}
        </p>
      )}
    </aside>
  );
}
