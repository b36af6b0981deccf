import { useCallback } from 'react';
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

/** One endpoint's delivery log, newest first. */
export function useDeliveries(endpointId: string) {
  const load = useCallback(() => answer(hub.GET('/api/webhooks/endpoints/{id}/deliveries', { params: { path: { id: endpointId }, query: { limit: 50 } } })).then((page) => page.items), [endpointId]);
  const { data, reload } = useResource(load);
  const replay = async (deliveryId: string) => {
    await answer(hub.POST('/api/webhooks/endpoints/{id}/deliveries/{deliveryId}/replay', { params: { path: { id: endpointId, deliveryId } } }));
    await reload();
  };
  return { deliveries: data ?? [], reload, replay };
}
