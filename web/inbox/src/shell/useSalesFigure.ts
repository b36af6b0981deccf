import { useEffect, useState } from 'react';
import { answer, hub } from '../api';
import type { SalesFigure } from '../api';
import { useInboxEvent } from '../shared/socket';
import { money } from '../shared/time';

/** Today's chats and sales credited to this member, and the notice of a sale just credited. */
export function useSalesFigure(memberId: string, onSale: () => void) {
  const [figure, setFigure] = useState<SalesFigure | null>(null);
  const [saleNotice, setSaleNotice] = useState<string | null>(null);

  useEffect(() => {
    void answer(hub.GET('/api/sales/figures', { params: { query: { memberId } } })).then((page) => setFigure(page.items[0] ?? null), () => setFigure(null));
  }, [memberId]);

  useInboxEvent('sales.figure', setFigure);
  useInboxEvent('sale.created', (sale) => {
    setSaleNotice(`${sale.orderId}: ${money({ [sale.currency]: sale.amount }, document.documentElement.lang)}`);
    onSale();
  });

  return { figure, saleNotice, dismissSale: () => setSaleNotice(null) };
}
