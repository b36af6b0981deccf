import { answer, hub } from '../../api';
import type { RequestBody, Views } from '../../api';
import { useResource } from '../../shared/useResource';

export type Channel = Views['Channel'];
export type Pairing = Views['ChannelPairing'];
export type ChannelCheck = Views['ChannelCheck'];
export type NewChannel = RequestBody<'/api/channels', 'post'>;
export type ChannelChange = RequestBody<'/api/channels/{id}', 'patch'>;

const loadChannels = async () => (await answer(hub.GET('/api/channels'))).items;

const byId = (id: string) => ({ params: { path: { id } } });

/** The team's channels (config without secrets, webhook addresses) and every change to them, each followed by a re-read. */
export function useChannels() {
  const { data, reload } = useResource(loadChannels);
  const create = async (body: NewChannel): Promise<Channel> => {
    const created = await answer(hub.POST('/api/channels', { body }));
    await reload();
    return created;
  };
  const update = async (id: string, body: ChannelChange) => {
    await answer(hub.PATCH('/api/channels/{id}', { ...byId(id), body }));
    await reload();
  };
  const remove = async (id: string) => {
    await answer(hub.DELETE('/api/channels/{id}', byId(id)));
    await reload();
  };
  /** Asks the provider whether the stored credentials work; a refusal is an answer (`ok: false`), not an error. */
  const check = (id: string): Promise<ChannelCheck> => answer(hub.POST('/api/channels/{id}/check', byId(id)));
  return { channels: data ?? null, create, update, remove, check };
}

/** A WhatsApp Web channel's pairing state and QR code. */
export const loadPairing = (id: string): Promise<Pairing> => answer(hub.GET('/api/channels/{id}/pairing', byId(id)));
