import { useText } from '../../i18n';
import { useChannels } from './useChannels';
import { WidgetSettingsForm } from './WidgetSettingsForm';

/** `/app/admin/channels`: each channel with the webhook addresses to paste into its provider, pairing, and the widget. */
export function ChannelsSection() {
  const text = useText();
  const { channels, pairings, update } = useChannels();
  return (
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
              <>
                <WidgetSettingsForm channel={channel} onSave={(config) => update(channel.id, { config })} />
                <code className="embed">{`<script src="${location.origin}/widget.js" data-channel="${channel.id}"></script>`}</code>
              </>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
