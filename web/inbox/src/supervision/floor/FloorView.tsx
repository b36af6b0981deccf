import { useState } from 'react';
import { Link } from 'react-router';
import type { Presence } from '../../api';
import { fill, useText, useWords } from '../../i18n';
import { Field, FormSubmit, useServerForm } from '../../shared/forms';
import { useSession } from '../../shared/session';
import { elapsed, money, useNow } from '../../shared/time';
import { useTeam } from '../../shared/useTeam';
import { useFloor } from './useFloor';
import type { FloorQueue, TodayFigures } from './useFloor';
import './floor.css';
import { floorWords } from './words';

const PRESENCES: Presence[] = ['online', 'break', 'offline'];

/** A wait the hub counted at `readAt`, grown by the time since, as m:ss (the browser's clock never meets the hub's). */
function waited(seconds: number, readAt: number, now: number): string {
  return elapsed(new Date(readAt - seconds * 1000).toISOString(), Math.max(now, readAt));
}

/**
 * The live floor (supervisors and administrators): who is on, how loaded, what they hold and how long each customer
 * has waited for a reply, the offers ringing, the waiting queue, and today's figures from the reports' own endpoints.
 */
export function FloorView() {
  const words = useWords(floorWords);
  const team = useTeam();
  const floor = useFloor(team?.timeZone ?? null);
  const now = useNow();

  return (
    <>
      <h2 className="floor-title">{words.floor}</h2>
      {floor.queue && <MembersTable queue={floor.queue} figures={floor.figures} now={now} />}
      {floor.queue && <WaitingQueue queue={floor.queue} now={now} assign={floor.assign} />}
      {floor.figures && <TodaySection figures={floor.figures} />}
      {floor.queue && <PresenceForm queue={floor.queue} setPresence={floor.setPresence} />}
    </>
  );
}

function MembersTable({ queue, figures, now }: { queue: FloorQueue; figures: TodayFigures | null; now: number }) {
  const words = useWords(floorWords);
  const text = useText();
  const { language } = useSession();
  const todayOf = (memberId: string) => figures?.report.members.find((row) => row.memberId === memberId);
  return (
    <section aria-label={words.members}>
      <div className="table-scroll">
        <table className="floor-members" aria-label={words.members}>
          <thead>
            <tr>
              <th scope="col">{words.member}</th>
              <th scope="col">{words.presence}</th>
              <th scope="col">{words.load}</th>
              <th scope="col">{words.offers}</th>
              <th scope="col">{words.inHand}</th>
              <th scope="col">{words.todayChats}</th>
              <th scope="col">{words.todaySales}</th>
            </tr>
          </thead>
          <tbody>
            {queue.members.map((member) => {
              const today = todayOf(member.id);
              const amounts = Object.fromEntries((today?.sales.amounts ?? []).map((a) => [a.currency, a.amount]));
              return (
                <tr key={member.id} className={`presence-${member.status}`}>
                  <th scope="row">{member.name}</th>
                  <td>{text[member.status as Presence] ?? member.status}</td>
                  <td className={member.load >= member.capacity ? 'full' : ''}>
                    {member.load} / {member.capacity}
                  </td>
                  <td>{fill(words.offersPending, { n: member.offersPending })}</td>
                  <td>
                    {member.chats.length === 0 ? (
                      words.noChats
                    ) : (
                      <ul className="held" aria-label={`${member.name} ${words.inHand}`}>
                        {member.chats.map((chat) => (
                          <li key={chat.conversationId} className={chat.awaitingReplySeconds === null ? 'answered' : 'awaiting'}>
                            <Link to={`/conversations/${chat.conversationId}`}>{chat.contact.name}</Link>{' '}
                            <span className={`channel channel-${chat.channel.type}`}>{text.channel[chat.channel.type] ?? chat.channel.type}</span>{' '}
                            <span className="wait">
                              {chat.awaitingReplySeconds === null ? words.answered : fill(words.awaitingReply, { time: waited(chat.awaitingReplySeconds, queue.readAt, now) })}
                            </span>
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td>{today?.conversations ?? 0}</td>
                  <td>{fill(words.salesLine, { count: today?.sales.count ?? 0, amount: money(amounts, language) })}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function WaitingQueue({ queue, now, assign }: { queue: FloorQueue; now: number; assign: (conversationId: string, memberId: string, override: boolean) => Promise<void> }) {
  const words = useWords(floorWords);
  const text = useText();
  const nameOf = (id: string) => queue.members.find((m) => m.id === id)?.name ?? id;
  return (
    <section aria-label={words.queue}>
      <h2>{words.queue}</h2>
      {queue.waiting.length === 0 && <p className="empty">{words.queueEmpty}</p>}
      <ul className="queue" aria-label={words.queue}>
        {queue.waiting.map((item) => (
          <li key={item.conversationId} className={item.missed ? 'missed' : ''}>
            <p>
              <span className={`channel channel-${item.channel.type}`}>{text.channel[item.channel.type] ?? item.channel.type}</span> <strong>{item.contact.name}</strong>{' '}
              <span className="preview">{item.preview}</span>
            </p>
            <p className="meta">
              <span className="wait">{fill(words.waiting, { time: waited(item.waitingSeconds, queue.readAt, now) })}</span>
              {item.missed && <span className="badge">{words.missedMark}</span>}
              {item.offeredTo.length > 0 && <span>{fill(words.offeredTo, { names: item.offeredTo.map(nameOf).join('、') })}</span>}
            </p>
            <AssignForm item={item} queue={queue} assign={assign} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function AssignForm({ item, queue, assign }: { item: FloorQueue['waiting'][number]; queue: FloorQueue; assign: (conversationId: string, memberId: string, override: boolean) => Promise<void> }) {
  const words = useWords(floorWords);
  const [memberId, setMemberId] = useState('');
  const [override, setOverride] = useState(false);
  const form = useServerForm(['memberId', 'override'] as const);
  const scope = `assign-${item.conversationId}`;
  return (
    <form className="assign" aria-label={`${words.assign}: ${item.contact.name}`} onSubmit={form.handle(() => assign(item.conversationId, memberId, override))} noValidate>
      <Field form={form} name="memberId" label={words.assignTo} scope={scope}>
        {(control) => (
          <select {...control} value={memberId} onChange={(e) => setMemberId(e.target.value)}>
            <option value="" disabled>
              —
            </option>
            {queue.members.map((member) => (
              <option key={member.id} value={member.id}>
                {fill(words.memberOption, { name: member.name, load: member.load, capacity: member.capacity })}
              </option>
            ))}
          </select>
        )}
      </Field>
      <label className="check">
        <input type="checkbox" checked={override} onChange={(e) => setOverride(e.target.checked)} /> {words.override}
      </label>
      <FormSubmit form={form} label={words.assign} />
    </form>
  );
}

function TodaySection({ figures }: { figures: TodayFigures }) {
  const words = useWords(floorWords);
  const { language } = useSession();
  const { report, sales } = figures;
  const team = report.team;
  const missed = report.members.reduce((sum, row) => sum + row.missed, 0);
  const seconds = (value: number | null) => (value === null ? words.none : fill(words.seconds, { n: value }));
  const figure = (term: string, value: string | number) => (
    <div key={term}>
      <dt>{term}</dt>
      <dd>{value}</dd>
    </div>
  );
  return (
    <section aria-label={words.today}>
      <h2>
        {words.today} <small>{fill(words.todayDate, { date: figures.day, zone: figures.timeZone })}</small>
      </h2>
      {/* The same figures as GET /api/reports/team and /api/sales/report for this day, and their CSVs. */}
      <dl className="figures">
        {figure(words.chats, team.conversations)}
        {figure(words.missedOffers, missed)}
        {figure(words.firstResponse, seconds(team.firstResponse.medianSeconds))}
        {figure(words.handled, team.handled)}
        {figure(words.unhandled, team.unhandled)}
        {figure(words.ratings, team.ratings.average === null ? words.noRatings : fill(words.ratingLine, { average: team.ratings.average, count: team.ratings.count }))}
        {figure(
          words.sales,
          `${fill(words.salesLine, { count: sales.totals.attributed.count + sales.totals.unattributed.count, amount: money(sumAmounts(sales.totals.attributed.amounts, sales.totals.unattributed.amounts), language) })}${
            sales.totals.unattributed.count > 0 ? ` ${fill(words.unattributedSales, { count: sales.totals.unattributed.count })}` : ''
          }`,
        )}
      </dl>
    </section>
  );
}

function sumAmounts(...all: Record<string, number>[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const amounts of all) for (const [currency, amount] of Object.entries(amounts)) total[currency] = (total[currency] ?? 0) + amount;
  return total;
}

function PresenceForm({ queue, setPresence }: { queue: FloorQueue; setPresence: (memberId: string, status: Presence, reason: string) => Promise<void> }) {
  const words = useWords(floorWords);
  const text = useText();
  const [memberId, setMemberId] = useState(queue.members[0]?.id ?? '');
  const [status, setStatus] = useState<Presence>('break');
  const [reason, setReason] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const form = useServerForm(['status', 'reason'] as const);
  const submit = form.handle(async () => {
    setDone(null);
    await setPresence(memberId, status, reason);
    setDone(fill(words.changed, { name: queue.members.find((m) => m.id === memberId)?.name ?? '', status: text[status] }));
    setReason('');
  });
  return (
    <section aria-label={words.setPresence}>
      <h2>{words.setPresence}</h2>
      <form className="set-presence" aria-label={words.setPresence} onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="presence-member">{words.member}</label>
          <select id="presence-member" value={memberId} onChange={(e) => setMemberId(e.target.value)}>
            {queue.members.map((member) => (
              <option key={member.id} value={member.id}>
                {member.name}
              </option>
            ))}
          </select>
        </div>
        <Field form={form} name="status" label={words.status} scope="presence">
          {(control) => (
            <select {...control} value={status} onChange={(e) => setStatus(e.target.value as Presence)}>
              {PRESENCES.map((p) => (
                <option key={p} value={p}>
                  {text[p]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field form={form} name="reason" label={words.reason} hint={words.reasonHint} scope="presence">
          {(control) => <input {...control} value={reason} maxLength={200} onChange={(e) => setReason(e.target.value)} />}
        </Field>
        <FormSubmit form={form} label={words.change} />
        {done && (
          <p role="status" className="saved">
            {done}
          </p>
        )}
      </form>
    </section>
  );
}
