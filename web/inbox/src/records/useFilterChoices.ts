import { answer, hub } from '../api';
import { useResource } from '../shared/useResource';

const loadChoices = async () => {
  const [members, categories] = await Promise.all([answer(hub.GET('/api/members')), answer(hub.GET('/api/categories'))]);
  return { members: members.items, categories: categories.items };
};

/** What the member and category filters offer: the team's members and its categories (each shown with its path). */
export function useFilterChoices() {
  const data = useResource(loadChoices).data;
  return { members: data?.members ?? [], categories: data?.categories ?? [] };
}
