import { useState } from 'react';
import { Link } from 'react-router';
import { fill, useWords } from '../i18n';
import { useSession } from '../shared/session';
import { money } from '../shared/time';
import { SalesReportTable } from './SalesReportTable';
import { useMySales, useTeamSales } from './useSales';
import type { Sale } from './useSales';
import './sales.css';
import { salesWords } from './words';
import type { SalesFilter } from './words';
import { RadioFilter } from '../shared/RadioFilter';

/**
 * `/app/sales`, every member: their own sales, new ones in blue until opened (as the store app shows them), with why
 * each was credited. Supervisors and administrators also see the team's, the unattributed ones, the refunds, and the
 * report by day and member. Today's figure stays in the header, on every screen.
 */
export default function SalesArea() {
  const { member } = useSession();
  const supervising = member.role === 'supervisor' || member.role === 'administrator';
  return (
    <main className="pane sales-area">
      <MySales memberId={member.id} />
      {supervising && <TeamSales />}
    </main>
  );
}

function MySales({ memberId }: { memberId: string }) {
  const words = useWords(salesWords);
  const { items, hasMore, more, markSeen } = useMySales(memberId);
  return (
    <section aria-label={words.mine}>
      <h2>{words.mine}</h2>
      {items?.length === 0 && <p className="empty">{words.mineEmpty}</p>}
      <ul className="sales" aria-label={words.mine}>
        {items?.map((sale) => <SaleItem key={sale.id} sale={sale} onOpen={sale.new ? () => markSeen(sale) : undefined} />)}
      </ul>
      {hasMore && (
        <button type="button" onClick={() => void more()}>
          {words.more}
        </button>
      )}
    </section>
  );
}

function TeamSales() {
  const words = useWords(salesWords);
  const { filter, setFilter, list, names, report } = useTeamSales(true);
  return (
    <>
      <section aria-label={words.team}>
        <h2>{words.team}</h2>
        <RadioFilter legend={words.filter} name="sales-filter" labels={words.filters as Record<SalesFilter, string>} value={filter} onChange={setFilter} />
        {list.items?.length === 0 && <p className="empty">{words.teamEmpty}</p>}
        <ul className="sales" aria-label={words.team} aria-busy={list.loading}>
          {list.items?.map((sale) => <SaleItem key={sale.id} sale={sale} memberName={sale.attributedTo ? (names?.get(sale.attributedTo.memberId) ?? '') : words.unattributed} />)}
        </ul>
        {list.hasMore && (
          <button type="button" onClick={() => void list.more()}>
            {words.more}
          </button>
        )}
      </section>
      {report && <SalesReportTable report={report} />}
    </>
  );
}

/**
 * One sale: order, amount, when, and its state. A new one (credited, not yet opened by its member) is blue; opening
 * it shows why it was credited and, for its own member, marks it seen (grey from then on).
 */
function SaleItem({ sale, memberName, onOpen }: { sale: Sale; memberName?: string; onOpen?: () => Promise<void> }) {
  const words = useWords(salesWords);
  const { language } = useSession();
  const [open, setOpen] = useState(false);
  const detailsId = `sale-${sale.id}-why`;
  const toggle = () => {
    setOpen(!open);
    if (!open && onOpen) void onOpen();
  };
  const state = sale.new ? 'new' : 'seen';
  return (
    <li className={`sale ${state}${sale.status !== 'completed' ? ' reversed' : ''}`} data-state={state}>
      <button type="button" className="sale-head" aria-expanded={open} aria-controls={detailsId} onClick={toggle}>
        <span className="order">{sale.orderId}</span>
        <span className="amount">{money({ [sale.currency]: sale.amount }, language)}</span>
        <time dateTime={sale.occurredAt}>{new Date(sale.occurredAt).toLocaleString(language === 'ja' ? 'ja-JP' : 'en-GB')}</time>
      </button>
      {sale.new && <span className="badge new-badge">{words.isNew}</span>}
      {sale.status !== 'completed' && <span className="badge reversed-badge">{words.status[sale.status]}</span>}
      {memberName !== undefined && <span className="credited">{memberName}</span>}
      {open && (
        <div id={detailsId} role="region" aria-label={words.why} className="why">
          <p>{sale.reason.explanation}</p>
          <ul>
            <li>{fill(words.ruleLine, { rule: words.rule[sale.reason.rule], days: sale.reason.windowDays })}</li>
            {sale.reason.match && <li>{words.match[sale.reason.match]}</li>}
            <li>{fill(words.candidates, { n: sale.reason.candidates })}</li>
            {sale.items.length > 0 && <li>{fill(words.items, { items: itemNames(sale.items) })}</li>}
          </ul>
          {sale.attributedTo && <Link to={`/conversations/${sale.attributedTo.conversationId}`}>{words.conversation}</Link>}
        </div>
      )}
    </li>
  );
}

/** The shop's items are its own shape (the hub keeps them as sent): their names where they have one. */
function itemNames(items: unknown[]): string {
  return items
    .map((item) => (item && typeof item === 'object' && 'name' in item && typeof item.name === 'string' ? item.name : null))
    .filter((name): name is string => name !== null)
    .join('、');
}
