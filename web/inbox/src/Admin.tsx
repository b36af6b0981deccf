import { useCallback, useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { answer, ApiError, hub } from './api';
import type { RequestBody, Views } from './api';
import { useText } from './i18n';

type Channel = Views['Channel'];
type Group = Views['ChannelGroup'];
type Target = Views['ReportTarget'];
type Pairing = Views['ChannelPairing'];

/** The purposes the hub posts to by itself; others a team adds are kept for other sinks. */
const PURPOSES = ['callCenter', 'bookings'] as const;

type TeamMemberRow = Views['Member'];
type CannedReply = Views['CannedReply'];

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
  const [members, setMembers] = useState<TeamMemberRow[]>([]);
  const [hours, setHours] = useState('');
  const [widgets, setWidgets] = useState<Record<string, { greeting: string; consentText: string; allowedOrigins: string }>>({});

  const load = useCallback(async () => {
    const [team, channelPage, cannedPage] = await Promise.all([
      answer(hub.GET('/api/teams/current')),
      answer(hub.GET('/api/channels')),
      answer(hub.GET('/api/canned-replies')),
    ]);
    setInviteCode(team.inviteCode ?? '');
    setHours(team.settings.businessHours ? JSON.stringify(team.settings.businessHours, null, 2) : '');
    setMembers((await answer(hub.GET('/api/members'))).items);
    setWidgets(
      Object.fromEntries(
        channelPage.items
          .filter((c) => c.type === 'webchat')
          .map((c) => {
            const config = c.config as { greeting?: string; consentText?: string; allowedOrigins?: string[] };
            return [c.id, { greeting: config.greeting ?? '', consentText: config.consentText ?? '', allowedOrigins: (config.allowedOrigins ?? []).join('\n') }];
          }),
      ),
    );
    setChannels(channelPage.items);
    setCanned(cannedPage.items);
    const lines = channelPage.items.filter((c) => c.type === 'line');
    const groupPages = await Promise.all(lines.map((c) => answer(hub.GET('/api/channels/{id}/groups', { params: { path: { id: c.id } } })).then((page) => page.items.map((g) => ({ ...g, channelId: c.id })))));
    setGroups(groupPages.flat());
    setTargets(await answer(hub.GET('/api/teams/current/report-targets')));
    const webSessions = channelPage.items.filter((c) => c.type === 'whatsapp' && c.provider === 'whatsapp-web');
    const states = await Promise.all(webSessions.map(async (c) => [c.id, await answer(hub.GET('/api/channels/{id}/pairing', { params: { path: { id: c.id } } }))] as const));
    setPairings(Object.fromEntries(states));
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const addCanned = async (event: FormEvent) => {
    event.preventDefault();
    setNotice(null);
    try {
      await answer(hub.POST('/api/canned-replies', { body: draft }));
      setDraft({ shortCode: '', title: '', body: '' });
      await load();
    } catch (failure) {
      setNotice(failure instanceof ApiError ? failure.message : String(failure));
    }
  };

  const attempt = async (work: () => Promise<unknown>) => {
    setNotice(null);
    try {
      await work();
      await load();
    } catch (failure) {
      setNotice(failure instanceof ApiError ? failure.message : String(failure));
    }
  };

  const saveHours = (event: FormEvent) => {
    event.preventDefault();
    void attempt(() => {
      // Invalid JSON is named here; the hub names what is wrong with valid JSON.
      // Typed by hand until the week editor replaces this box: the hub checks it as it checks any body.
      let parsed: unknown = null;
      if (hours.trim()) parsed = JSON.parse(hours);
      const settings = { businessHours: parsed } as NonNullable<RequestBody<'/api/teams/current', 'patch'>['settings']>;
      return answer(hub.PATCH('/api/teams/current', { body: { settings } }));
    });
  };

  const saveWidget = (channelId: string) => (event: FormEvent) => {
    event.preventDefault();
    const widget = widgets[channelId];
    const origins = widget.allowedOrigins.split(/\s+/).filter(Boolean);
    void attempt(() =>
      answer(
        hub.PATCH('/api/channels/{id}', {
          params: { path: { id: channelId } },
          body: { config: { greeting: widget.greeting, consentText: widget.consentText || undefined, allowedOrigins: origins } },
        }),
      ),
    );
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
      setTargets(await answer(hub.PUT('/api/teams/current/report-targets', { body: next })));
    } catch (failure) {
      setNotice(failure instanceof ApiError ? failure.message : String(failure));
    }
  };

  return (
    <main className="pane admin">
      {notice && (
        <p role="alert" className="error">
          {notice}
        </p>
      )}
      <section aria-label={text.members}>
        <h2>{text.members}</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">{text.member}</th>
              <th scope="col">{text.role}</th>
              <th scope="col">{text.capacity}</th>
              <th scope="col">{text.training}</th>
            </tr>
          </thead>
          <tbody>
            {members.map((m) => (
              <tr key={m.id}>
                <td>
                  {m.name} <span className="kind">{m.email}</span>
                </td>
                <td>
                  <select aria-label={`${m.name} ${text.role}`} value={m.role} onChange={(e) => void attempt(() => answer(hub.PATCH('/api/members/{id}', { params: { path: { id: m.id } }, body: { role: e.target.value as TeamMemberRow['role'] } })))}>
                    <option value="operator">{text.roles.operator}</option>
                    <option value="supervisor">{text.roles.supervisor}</option>
                    <option value="administrator">{text.roles.administrator}</option>
                  </select>
                </td>
                <td>
                  <input
                    aria-label={`${m.name} ${text.capacity}`}
                    type="number"
                    min={0}
                    max={100}
                    defaultValue={m.capacity}
                    onBlur={(e) => Number(e.target.value) !== m.capacity && void attempt(() => answer(hub.PATCH('/api/members/{id}', { params: { path: { id: m.id } }, body: { capacity: Number(e.target.value) } })))}
                  />
                </td>
                <td>
                  <input aria-label={`${m.name} ${text.training}`} type="checkbox" checked={m.training} onChange={(e) => void attempt(() => answer(hub.PATCH('/api/members/{id}', { params: { path: { id: m.id } }, body: { training: e.target.checked } })))} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-label={text.businessHours}>
        <h2>{text.businessHours}</h2>
        <form onSubmit={saveHours}>
          <label>
            {text.businessHoursHint}
            <textarea rows={6} value={hours} onChange={(e) => setHours(e.target.value)} spellCheck={false} />
          </label>
          <button type="submit">{text.save}</button>
        </form>
      </section>
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
              {channel.type === 'webchat' && widgets[channel.id] && (
                <form onSubmit={saveWidget(channel.id)} aria-label={text.widgetSettings}>
                  <label>
                    {text.greeting}
                    <input value={widgets[channel.id].greeting} onChange={(e) => setWidgets({ ...widgets, [channel.id]: { ...widgets[channel.id], greeting: e.target.value } })} />
                  </label>
                  <label>
                    {text.consentText}
                    <textarea value={widgets[channel.id].consentText} onChange={(e) => setWidgets({ ...widgets, [channel.id]: { ...widgets[channel.id], consentText: e.target.value } })} />
                  </label>
                  <label>
                    {text.allowedOrigins}
                    <textarea value={widgets[channel.id].allowedOrigins} onChange={(e) => setWidgets({ ...widgets, [channel.id]: { ...widgets[channel.id], allowedOrigins: e.target.value } })} />
                  </label>
                  <button type="submit">{text.save}</button>
                </form>
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
        </form>
      </section>
    </main>
  );
}
