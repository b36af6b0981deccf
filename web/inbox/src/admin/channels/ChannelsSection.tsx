import { useState } from 'react';
import { useWords } from '../../i18n';
import { ChannelCard } from './ChannelCard';
import { ChannelForm } from './ChannelForm';
import { CHANNEL_KINDS } from './channelKinds';
import type { ChannelKind } from './channelKinds';
import { useChannels } from './useChannels';
import { channelsWords } from './words';

/** `/app/admin/channels`: add a channel of any kind through its provider's form, and each channel's card. */
export function ChannelsSection() {
  const words = useWords(channelsWords);
  const { channels, create, update, remove, check } = useChannels();
  const [kindId, setKindId] = useState<ChannelKind['id']>('webchat');
  const [adding, setAdding] = useState(false);
  const kind = CHANNEL_KINDS.find((k) => k.id === kindId) ?? CHANNEL_KINDS[0];

  return (
    <section aria-label={words.channels}>
      <h2>{words.channels}</h2>
      <p className="hint">{words.channelsHint}</p>
      <div className="inline-fields">
        <label>
          {words.kind}
          <select value={kindId} onChange={(e) => setKindId(e.target.value as ChannelKind['id'])}>
            {CHANNEL_KINDS.map((k) => (
              <option key={k.id} value={k.id}>
                {words.kinds[k.id]}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => setAdding(true)} disabled={adding}>
          {words.add}
        </button>
      </div>
      {/* Keyed by kind: another kind is another form, with none of the last one's values. */}
      {adding && <ChannelForm key={kind.id} kind={kind} onCreate={create} onDone={() => setAdding(false)} />}
      {channels?.length === 0 && <p>{words.noChannels}</p>}
      <ul className="channel-list">
        {(channels ?? []).map((channel) => (
          <ChannelCard key={channel.id} channel={channel} actions={{ update, remove, check }} />
        ))}
      </ul>
    </section>
  );
}
