import { useEffect } from 'react';
import { ApiError, answer, hub, session } from '../../api';
import type { RequestBody, Views } from '../../api';
import { useResource } from '../../shared/useResource';

export type CatalogSource = Views['CatalogSource'];
export type Product = Views['Product'];
export type NewSource = RequestBody<'/api/catalog/sources', 'post'>;

const loadSources = () => answer(hub.GET('/api/catalog/sources')).then((list) => list.items);

/** The team's catalog sources, read again every two seconds while one of them syncs. */
export function useCatalog() {
  const { data, reload } = useResource(loadSources);
  const syncing = (data ?? []).some((source) => source.lastSync?.status === 'running');
  useEffect(() => {
    if (!syncing) return;
    const timer = setInterval(() => void reload(), 2000);
    return () => clearInterval(timer);
  }, [syncing, reload]);
  const create = async (body: NewSource) => {
    await answer(hub.POST('/api/catalog/sources', { body }));
    await reload();
  };
  const syncNow = async (id: string) => {
    await answer(hub.POST('/api/catalog/sources/{id}/sync', { params: { path: { id } } }));
    await reload();
  };
  const upload = async (id: string, file: File) => {
    const form = new FormData();
    form.append('file', file, file.name);
    const response = await fetch(`/api/catalog/sources/${encodeURIComponent(id)}/feed`, {
      method: 'POST',
      body: form,
      headers: session.token ? { authorization: `Bearer ${session.token}` } : {},
    });
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as { code?: string; message?: string };
      throw new ApiError(response.status, body.code ?? `http_${response.status}`, body.message ?? response.statusText);
    }
    await reload();
  };
  return { sources: data ?? [], create, syncNow, upload };
}

export function searchProducts(q: string): Promise<Product[]> {
  return answer(hub.GET('/api/catalog/products', { params: { query: { q, limit: 20 } } })).then((list) => list.items);
}
