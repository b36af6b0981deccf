import { useCallback, useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { api, ApiError } from './api';
import { useText } from './i18n';

interface Channel {
  id: string;
  type: string;
  provider: string;
  name: string;
  active: boolean;
  webhookUrls: Record<string, string>;
}

interface Group {
  groupId: string;
  name: string | null;
  status: string;
}

interface Target {
  channelId: string;
  groupId: string;
  name: string | null;
  status: 'active' | 'gone';
}

interface Pairing {
  state: string;
  qrDataUrl: string | null;
  detail: string | null;
}

/** The purposes the hub posts to by itself; others a team adds are kept for other sinks. */
const PURPOSES = ['callCenter', 'bookings'] as const;

interface CannedReply {
  id: string;
  shortCode: string;
  title: string;
  body: string;
  ownerId: string | null;
  uses: { total: number };
}

/** Administrators: the invite code, channels with the webhook addresses to paste into each provider, canned replies. */
export function Admin() {
  const text = useText();
  const [inviteCode, setInviteCode] = useState('');
  const [channels, setChannels] = useState<Channel[]>([]);
  const [canned, setCanned] = useState<CannedReply[]>([]);
  const [draft, setDraft] = useState({ shortCode: '', title: '', body: '' });
  const [notice, setNotice] = useState<string | null>(null);
  const [groups, setGroups] = useState<(Group & { channelId: string })[]>([]);
  const [targets, setTargets] = useState<Record<string, Target>>({});
  const [pairings, setPairings] = useState<Record<string, Pairing>>({});

  const load = useCallback(async () => {
    const [team, channelPage, cannedPage] = await Promise.all([
      api<{ inviteCode?: string }>('GET', '/api/teams/current'),
      api<{ items: Channel[] }>('GET', '/api/channels'),
      api<{ items: CannedReply[] }>('GET', '/api/canned-replies'),
    ]);
    setInviteCode(team.inviteCode ?? '');
    setChannels(channelPage.items);
    setCanned(cannedPage.items);
    const lines = channelPage.items.filter((c) => c.type === 'line');
    const groupPages = await Promise.all(lines.map((c) => api<{ items: Group[] }>('GET', `/api/channels/${c.id}/groups`).then((page) => page.items.map((g) => ({ ...g, channelId: c.id })))));
    setGroups(groupPages.flat());
    setTargets(await api<Record<string, Target>>('GET', '/api/teams/current/report-targets'));
    const webSessions = channelPage.items.filter((c) => c.type === 'whatsapp' && c.provider === 'whatsapp-web');
    const states = await Promise.all(webSessions.map(async (c) => [c.id, await api<Pairing>('GET', `/api/channels/${c.id}/pairing`)] as const));
    setPairings(Object.fromEntries(states));
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const addCanned = async (event: FormEvent) => {
    event.preventDefault();
    setNotice(null);
    try {
      await api('POST', '/api/canned-replies', draft);
      setDraft({ shortCode: '', title: '', body: '' });
      await load();
    } catch (failure) {
      setNotice(failure instanceof ApiError ? failure.message : String(failure));
    }
  };

  const mapTarget = async (purpose: string, value: string) => {
    setNotice(null);
    const next: Record<string, { channelId: string; groupId: string }> = Object.fromEntries(Object.entries(targets).map(([key, t]) => [key, { channelId: t.channelId, groupId: t.groupId }]));
    if (value) {
      const [channelId, groupId] = value.split('|');
      next[purpose] = { channelId, groupId };
    } else {
      delete next[purpose];
    }
    try {
      setTargets(await api<Record<string, Target>>('PUT', '/api/teams/current/report-targets', next));
    } catch (failure) {
      setNotice(failure instanceof ApiError ? failure.message : String(failure));
    }
  };

  return (
    <main className="pane admin">
      <section aria-label={text.reportTargets}>
        <h2>{text.reportTargets}</h2>
        {PURPOSES.map((purpose) => (
          <label key={purpose}>
            {purpose}
            <select value={targets[purpose] ? `${targets[purpose].channelId}|${targets[purpose].groupId}` : ''} onChange={(e) => void mapTarget(purpose, e.target.value)}>
              <option value="">—</option>
              {groups
                .filter((g) => g.status === 'active' || targets[purpose]?.groupId === g.groupId)
                .map((g) => (
                  <option key={`${g.channelId}|${g.groupId}`} value={`${g.channelId}|${g.groupId}`}>
                    {g.name ?? g.groupId} {g.status === 'gone' ? '(×)' : ''}
                  </option>
                ))}
            </select>
          </label>
        ))}
      </section>
      <section aria-label={text.inviteCode}>
        <h2>{text.inviteCode}</h2>
        <p className="code">{inviteCode}</p>
      </section>
      <section aria-label={text.channels}>
        <h2>{text.channels}</h2>
        <ul>
          {channels.map((channel) => (
            <li key={channel.id}>
              <strong>{channel.name}</strong> <span className={`channel channel-${channel.type}`}>{text.channel[channel.type] ?? channel.type}</span>
              <dl>
                {Object.entries(channel.webhookUrls).map(([purpose, url]) => (
                  <div key={purpose}>
                    <dt>{purpose}</dt>
                    <dd>
                      <code>{url}</code>
                    </dd>
                  </div>
                ))}
              </dl>
              {pairings[channel.id] && (
                <p className="pairing">
                  {pairings[channel.id].state}
                  {pairings[channel.id].detail && ` (${pairings[channel.id].detail})`}
                  {pairings[channel.id].qrDataUrl && <img src={pairings[channel.id].qrDataUrl!} alt="WhatsApp Web QR" width={200} height={200} />}
                </p>
              )}
              {channel.type === 'webchat' && (
                <code className="embed">{`<script src="${location.origin}/widget.js" data-channel="${channel.id}"></script>`}</code>
              )}
            </li>
          ))}
        </ul>
      </section>
      <section aria-label={text.cannedReplies}>
        <h2>{text.cannedReplies}</h2>
        <ul>
          {canned.map((reply) => (
            <li key={reply.id}>
              <code>:{reply.shortCode}</code> {reply.title} — {reply.body} ({reply.uses.total})
            </li>
          ))}
        </ul>
        <form onSubmit={addCanned} aria-label={text.addCanned}>
          <label>
            {text.shortCode}
            <input required value={draft.shortCode} onChange={(e) => setDraft({ ...draft, shortCode: e.target.value })} />
          </label>
          <label>
            {text.title}
            <input required value={draft.title} onChange={(e) => setDraft({ ...draft, title: e.target.value })} />
          </label>
          <label>
            {text.body}
            <textarea required value={draft.body} onChange={(e) => setDraft({ ...draft, body: e.target.value })} />
          </label>
          <button type="submit">{text.addCanned}</button>
          {notice && (
            <p role="alert" className="error">
              {notice}
            </p>
          )}
        </form>
      </section>
    </main>
  );
}
