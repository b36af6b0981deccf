import { useContext, useState } from 'react';
import { CurrentLanguage, fill, useWords } from '../../i18n';
import { describeError } from '../../shared/error-catalog';
import { FormRefusal, useServerForm } from '../../shared/forms';
import { ChannelForm } from './ChannelForm';
import { kindOf } from './channelKinds';
import { CopyButton } from './CopyButton';
import { PairingPanel } from './PairingPanel';
import { TemplatesForm } from './TemplatesForm';
import type { Channel, ChannelChange, ChannelCheck } from './useChannels';
import { WidgetSettingsForm } from './WidgetSettingsForm';
import { channelsWords } from './words';

interface ChannelActions {
  update: (id: string, change: ChannelChange) => Promise<void>;
  remove: (id: string) => Promise<void>;
  check: (id: string) => Promise<ChannelCheck>;
}

/** One channel: on or off, its webhook addresses, the provider check, and what its kind adds (QR, templates, widget). */
export function ChannelCard({ channel, actions }: { channel: Channel; actions: ChannelActions }) {
  const words = useWords(channelsWords);
  const kind = kindOf(channel);
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [checking, setChecking] = useState(false);
  const [result, setResult] = useState<ChannelCheck | null>(null);
  // Switching, removing and checking name no field: their refusal shows above the buttons.
  const writes = useServerForm([] as const);
  const save = (change: ChannelChange) => actions.update(channel.id, change);

  const runCheck = writes.handle(async () => {
    setChecking(true);
    setResult(null);
    try {
      setResult(await actions.check(channel.id));
    } finally {
      setChecking(false);
    }
  });

  return (
    <li className={`channel-card${channel.active ? '' : ' inactive'}`} aria-label={channel.name} style={{ borderTop: '1px solid var(--line)', paddingTop: 8, opacity: channel.active ? 1 : 0.75 }}>
      <h3>
        {channel.name} <span className={`channel channel-${channel.type}`}>{words.kinds[kind.id]}</span>{' '}
        <span role="status" className="hint" style={{ fontSize: 13, fontWeight: 400 }}>
          {channel.active ? words.active : words.inactive}
        </span>
      </h3>
      <div className="actions">
        <button type="button" onClick={runCheck} disabled={checking}>
          {checking ? words.checking : words.check}
        </button>
        <button type="button" className="secondary" onClick={() => setEditing((open) => !open)} aria-expanded={editing}>
          {words.edit}
        </button>
        <button type="button" className="secondary" onClick={writes.handle(() => save({ active: !channel.active }))}>
          {channel.active ? words.switchOff : words.switchOn}
        </button>
        {confirming ? (
          <button type="button" className="danger" onClick={writes.handle(() => actions.remove(channel.id))}>
            {words.removeConfirm}
          </button>
        ) : (
          <button type="button" className="secondary" onClick={() => setConfirming(true)}>
            {words.remove}
          </button>
        )}
      </div>
      {confirming && <p className="hint">{words.removeWarning}</p>}
      <FormRefusal form={writes} />
      {result && <CheckResult result={result} provider={channel.provider} />}
      {editing && <ChannelForm kind={kind} channel={channel} onUpdate={save} onDone={() => setEditing(false)} />}
      <WebhookList channel={channel} />
      {channel.provider === 'whatsapp-web' && <PairingPanel channelId={channel.id} />}
      {channel.provider === 'whatsapp-cloud' && <TemplatesForm channel={channel} onSave={save} />}
      {channel.type === 'webchat' && <WidgetSettingsForm channel={channel} onSave={save} />}
    </li>
  );
}

/** What the provider said about the credentials, and what to change when it refused them. */
function CheckResult({ result, provider }: { result: ChannelCheck; provider: string }) {
  const words = useWords(channelsWords);
  const language = useContext(CurrentLanguage);
  return (
    <div className={`check-result ${result.ok ? 'ok' : 'failed'}`} role={result.ok ? 'status' : 'alert'} aria-label={words.check}>
      <p>
        <strong>{result.ok ? words.checkOk : words.checkFailed}</strong>
        {/* The hub's sentence is English: in Japanese the code's sentence stands for a refusal, the heading for a pass. */}
        {language === 'en' ? `: ${result.message}` : result.ok ? '' : `: ${describeError(language, result.code, { provider })}`}
      </p>
      {result.account && <p>{fill(words.checkAccount, { account: result.account })}</p>}
      {!result.ok && words.checkFix[result.code] && <p>{words.checkFix[result.code]}</p>}
      {result.providerStatus !== null && <p className="hint">{fill(words.checkProvider, { status: result.providerStatus, message: result.providerMessage ?? '' })}</p>}
      <p className="hint">{fill(words.checkAt, { time: new Date(result.checkedAt).toLocaleTimeString() })}</p>
    </div>
  );
}

/** The addresses the hub built from its PUBLIC_URL, to paste into the provider's console. */
function WebhookList({ channel }: { channel: Channel }) {
  const words = useWords(channelsWords);
  const hooks = Object.entries(channel.webhookUrls);
  if (hooks.length === 0) return null;
  return (
    <div className="webhooks">
      <h4>{words.webhooks}</h4>
      <dl>
        {hooks.map(([purpose, url]) => {
          const label = words.webhookPurpose[purpose] ?? purpose;
          return (
            <div key={purpose}>
              <dt>{label}</dt>
              <dd>
                <code>{url}</code> <CopyButton text={url} label={label} />
                {words.webhookHints[`${channel.provider}.${purpose}`] && <p className="hint">{words.webhookHints[`${channel.provider}.${purpose}`]}</p>}
              </dd>
            </div>
          );
        })}
      </dl>
    </div>
  );
}
