import { answer, hub } from '../../api';
import type { RequestBody, Views } from '../../api';
import { useResource } from '../../shared/useResource';

export type Category = Views['Category'];

const loadCategories = () => answer(hub.GET('/api/categories')).then((page) => page.items);

/** The team's category tree (three levels at most), and its changes. */
export function useCategories() {
  const { data, reload } = useResource(loadCategories);
  const add = async (body: RequestBody<'/api/categories', 'post'>) => {
    await answer(hub.POST('/api/categories', { body }));
    await reload();
  };
  /** A rename, a move (`parentId`, null: to the top), or both. */
  const update = async (id: string, body: RequestBody<'/api/categories/{id}', 'patch'>) => {
    await answer(hub.PATCH('/api/categories/{id}', { params: { path: { id } }, body }));
    await reload();
  };
  const remove = async (id: string) => {
    await answer(hub.DELETE('/api/categories/{id}', { params: { path: { id } } }));
    await reload();
  };
  return { categories: data ?? [], add, update, remove };
}

/** The categories in tree order: each parent followed by its children, names in order at each level. */
export function treeOrder(categories: Category[]): Category[] {
  const byParent = new Map<string | null, Category[]>();
  for (const category of categories) byParent.set(category.parentId, [...(byParent.get(category.parentId) ?? []), category]);
  const walk = (parentId: string | null): Category[] =>
    (byParent.get(parentId) ?? []).sort((a, b) => a.name.localeCompare(b.name)).flatMap((category) => [category, ...walk(category.id)]);
  return walk(null);
}
