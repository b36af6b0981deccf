import { useCallback, useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { api, ApiError } from './api';
import { useText } from './i18n';

interface Channel {
  id: string;
  type: string;
  name: string;
  active: boolean;
  webhookUrls: Record<string, string>;
}

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

  const load = useCallback(async () => {
    const [team, channelPage, cannedPage] = await Promise.all([
      api<{ inviteCode?: string }>('GET', '/api/teams/current'),
      api<{ items: Channel[] }>('GET', '/api/channels'),
      api<{ items: CannedReply[] }>('GET', '/api/canned-replies'),
    ]);
    setInviteCode(team.inviteCode ?? '');
    setChannels(channelPage.items);
    setCanned(cannedPage.items);
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

  return (
    <main className="pane admin">
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
