import { answer, hub } from '../../api';
import type { RequestBody, Views } from '../../api';
import { useResource } from '../../shared/useResource';

export type Channel = Views['Channel'];
export type Pairing = Views['ChannelPairing'];

const loadChannels = async () => {
  const channels = (await answer(hub.GET('/api/channels'))).items;
  // WhatsApp Web pairs by a QR code on the hub's own session: its state is read per channel.
  const webSessions = channels.filter((c) => c.type === 'whatsapp' && c.provider === 'whatsapp-web');
  const states = await Promise.all(webSessions.map(async (c) => [c.id, await answer(hub.GET('/api/channels/{id}/pairing', { params: { path: { id: c.id } } }))] as const));
  return { channels, pairings: Object.fromEntries(states) as Record<string, Pairing> };
};

/** The team's channels with their webhook addresses and pairing states, and changes to a channel. */
export function useChannels() {
  const { data, reload } = useResource(loadChannels);
  const update = async (id: string, body: RequestBody<'/api/channels/{id}', 'patch'>) => {
    await answer(hub.PATCH('/api/channels/{id}', { params: { path: { id } }, body }));
    await reload();
  };
  return { channels: data?.channels ?? [], pairings: data?.pairings ?? {}, update };
}
