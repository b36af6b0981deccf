import { answer, hub } from '../../api';
import type { Views } from '../../api';
import { useResource } from '../../shared/useResource';

export type ApiKey = Views['ApiKey'];
export type CreatedApiKey = Views['CreatedApiKey'];

const loadKeys = () => answer(hub.GET('/api/teams/current/api-keys')).then((page) => page.items);

/** The team's API keys (their prefixes only: the hub shows a key whole once, when it is created). */
export function useApiKeys() {
  const { data, reload } = useResource(loadKeys);
  const create = async (name: string): Promise<CreatedApiKey> => {
    const created = await answer(hub.POST('/api/teams/current/api-keys', { body: { name } }));
    await reload();
    return created;
  };
  const revoke = async (id: string) => {
    await answer(hub.DELETE('/api/teams/current/api-keys/{id}', { params: { path: { id } } }));
    await reload();
  };
  return { keys: data ?? [], create, revoke };
}
