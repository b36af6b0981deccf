import { answer, hub } from '../../api';
import type { RequestBody, Views } from '../../api';
import { useResource } from '../../shared/useResource';

export type CannedReply = Views['CannedReply'];

const loadCanned = () => answer(hub.GET('/api/canned-replies')).then((page) => page.items);

/** The canned replies the signed-in member sees (team-wide and their own), with how often each was used. */
export function useCannedReplies() {
  const { data, reload } = useResource(loadCanned);
  const add = async (body: RequestBody<'/api/canned-replies', 'post'>) => {
    await answer(hub.POST('/api/canned-replies', { body }));
    await reload();
  };
  const update = async (id: string, body: RequestBody<'/api/canned-replies/{id}', 'patch'>) => {
    await answer(hub.PATCH('/api/canned-replies/{id}', { params: { path: { id } }, body }));
    await reload();
  };
  const remove = async (id: string) => {
    await answer(hub.DELETE('/api/canned-replies/{id}', { params: { path: { id } } }));
    await reload();
  };
  return { replies: data ?? [], add, update, remove };
}
