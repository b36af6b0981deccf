import { useCallback, useEffect, useRef, useState } from 'react';
import { answer, hub } from '../../api';
import type { RequestBody, Views } from '../../api';
import { useResource } from '../../shared/useResource';

export type WebhookEndpoint = Views['WebhookEndpoint'];
export type WebhookDelivery = Views['WebhookDelivery'];
export type WebhookSubscription = WebhookEndpoint['events'][number];
export type NewEndpoint = RequestBody<'/api/webhooks/endpoints', 'post'>;

const loadEndpoints = () => answer(hub.GET('/api/webhooks/endpoints')).then((page) => page.items);
const path = (id: string) => ({ params: { path: { id } } });

/** The team's outgoing webhook endpoints; a signing secret comes back only from `create` and `rotate`. */
export function useWebhooks() {
  const { data, reload } = useResource(loadEndpoints);
  const create = async (body: NewEndpoint) => {
    const created = await answer(hub.POST('/api/webhooks/endpoints', { body }));
    await reload();
    return created.secret;
  };
  const setEnabled = async (id: string, enabled: boolean) => {
    await answer(hub.PATCH('/api/webhooks/endpoints/{id}', { ...path(id), body: { enabled } }));
    await reload();
  };
  const rotate = async (id: string) => (await answer(hub.POST('/api/webhooks/endpoints/{id}/rotate-secret', path(id)))).secret;
  const ping = async (id: string) => {
    await answer(hub.POST('/api/webhooks/endpoints/{id}/ping', path(id)));
    await reload();
  };
  const remove = async (id: string) => {
    await answer(hub.DELETE('/api/webhooks/endpoints/{id}', path(id)));
    await reload();
  };
  return { endpoints: data ?? [], reload, create, setEnabled, rotate, ping, remove };
}

/** Deliveries read at a time: "show more" reads the next ones. */
const PAGE = 50;

/**
 * One endpoint's delivery log, newest first, a page at a time. `reload` reads the first page again (after a replay the
 * newest rows are the ones that changed); `more` appends the page after the last one shown.
 */
export function useDeliveries(endpointId: string) {
  const [listed, setListed] = useState<{ items: WebhookDelivery[]; nextCursor: string | null } | null>(null);
  // A slower earlier read (a page appended while the log is read again) must not overwrite a later one's list.
  const latest = useRef(0);
  const read = useCallback((cursor?: string) => answer(hub.GET('/api/webhooks/endpoints/{id}/deliveries', { params: { path: { id: endpointId }, query: { limit: PAGE, cursor } } })), [endpointId]);

  const reload = useCallback(async () => {
    const asked = ++latest.current;
    const page = await read();
    if (asked === latest.current) setListed(page);
  }, [read]);
  useEffect(() => {
    void reload();
  }, [reload]);

  const more = async () => {
    if (!listed?.nextCursor) return;
    const asked = ++latest.current;
    const page = await read(listed.nextCursor);
    if (asked === latest.current) setListed({ items: [...listed.items, ...page.items], nextCursor: page.nextCursor });
  };
  const replay = async (deliveryId: string) => {
    await answer(hub.POST('/api/webhooks/endpoints/{id}/deliveries/{deliveryId}/replay', { params: { path: { id: endpointId, deliveryId } } }));
    await reload();
  };
  /** Sends again what failed for good among the events since `since` (an instant); answers how many. */
  const replayFailed = async (since: string) => {
    const { replayed } = await answer(hub.POST('/api/webhooks/endpoints/{id}/replay', { params: { path: { id: endpointId } }, body: { since } }));
    await reload();
    return replayed;
  };
  return { deliveries: listed?.items ?? [], hasMore: !!listed?.nextCursor, reload, more, replay, replayFailed };
}
