import { useState } from 'react';
import { fill, useWords } from '../../i18n';
import { Field, FormRefusal, FormSubmit, useServerForm } from '../../shared/forms';
import { ConfirmButton } from '../members/ConfirmButton';
import { useDeliveries, useWebhooks } from './useWebhooks';
import type { WebhookDelivery, WebhookEndpoint, WebhookSubscription } from './useWebhooks';
import { webhooksWords } from './words';

const when = (iso: string) => new Date(iso).toLocaleString();

/**
 * `/app/admin/webhooks`: add an endpoint (its signing secret shown once, with a copy button), choose its events,
 * switch it on and off, send a test event, and read each endpoint's delivery log with the receiver's answers and
 * a replay button.
 */
export function WebhooksSection() {
  const words = useWords(webhooksWords);
  const { endpoints, create, setEnabled, rotate, ping, remove } = useWebhooks();
  const subscriptions = Object.keys(words.eventLabels) as WebhookSubscription[];
  const [draft, setDraft] = useState({ url: '', description: '', events: [] as WebhookSubscription[] });
  const [secret, setSecret] = useState<{ endpoint: string; value: string } | null>(null);
  const form = useServerForm(['url', 'description', 'events'] as const);
  const submit = form.handle(async () => {
    const value = await create({ url: draft.url.trim(), description: draft.description.trim(), events: draft.events });
    setSecret({ endpoint: draft.description.trim() || draft.url.trim(), value });
    setDraft({ url: '', description: '', events: [] });
  });
  const toggle = (event: WebhookSubscription) =>
    setDraft({ ...draft, events: draft.events.includes(event) ? draft.events.filter((e) => e !== event) : [...draft.events, event] });

  return (
    <section aria-label={words.webhooks}>
      <h2>{words.webhooks}</h2>
      <p className="hint">{words.webhooksHint}</p>
      {secret && <SecretShown name={secret.endpoint} secret={secret.value} />}
      {endpoints.length === 0 ? (
        <p>{words.noEndpoints}</p>
      ) : (
        endpoints.map((endpoint) => (
          <EndpointCard
            key={endpoint.id}
            endpoint={endpoint}
            onToggle={() => setEnabled(endpoint.id, !endpoint.enabled)}
            onPing={() => ping(endpoint.id)}
            onRotate={async () => setSecret({ endpoint: endpoint.description || endpoint.url, value: await rotate(endpoint.id) })}
            onRemove={() => remove(endpoint.id)}
          />
        ))
      )}

      <form onSubmit={submit} aria-label={words.addEndpoint} noValidate>
        <h3>{words.addEndpoint}</h3>
        <Field form={form} name="url" label={words.url} hint={words.urlHint}>
          {(control) => <input {...control} type="url" value={draft.url} onChange={(e) => setDraft({ ...draft, url: e.target.value })} />}
        </Field>
        <Field form={form} name="description" label={words.description} hint={words.descriptionHint}>
          {(control) => <input {...control} value={draft.description} onChange={(e) => setDraft({ ...draft, description: e.target.value })} />}
        </Field>
        <fieldset aria-invalid={form.error('events') !== undefined}>
          <legend>{words.events}</legend>
          {subscriptions.map((event) => (
            <label key={event} className="checkbox">
              <input type="checkbox" checked={draft.events.includes(event)} onChange={() => toggle(event)} /> {words.eventLabels[event]} <code>{event}</code>
            </label>
          ))}
          {form.error('events') && <p className="field-error">{form.error('events')}</p>}
        </fieldset>
        <FormSubmit form={form} label={words.addEndpoint} />
      </form>
    </section>
  );
}

function SecretShown({ name, secret }: { name: string; secret: string }) {
  const words = useWords(webhooksWords);
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    await navigator.clipboard.writeText(secret);
    setCopied(true);
  };
  return (
    <div className="created-key" role="region" aria-label={`${words.secret}: ${name}`}>
      <p>{words.secretOnce}</p>
      <code aria-label={words.secret}>{secret}</code>{' '}
      <button type="button" onClick={() => void copy()}>
        {words.copy}
      </button>
      {copied && <span role="status"> {words.copied}</span>}
    </div>
  );
}

function EndpointCard(props: { endpoint: WebhookEndpoint; onToggle: () => Promise<void>; onPing: () => Promise<void>; onRotate: () => Promise<void>; onRemove: () => Promise<void> }) {
  const { endpoint } = props;
  const words = useWords(webhooksWords);
  const { deliveries, reload, replay } = useDeliveries(endpoint.id);
  const actions = useServerForm([] as const);
  const name = endpoint.description || endpoint.url;
  const state = endpoint.enabled ? words.enabled : endpoint.disabledReason === 'failing' ? words.disabledFailing : words.disabledByHand;
  return (
    <article className="card webhook-endpoint" aria-label={name}>
      <h3>{name}</h3>
      <p>
        <code>{endpoint.url}</code>
      </p>
      <p>
        <span role="status">{state}</span>
        {endpoint.failingSince && <> · {fill(words.failingSince, { time: when(endpoint.failingSince) })}</>}
        {endpoint.pendingDeliveries > 0 && <> · {fill(words.pending, { n: endpoint.pendingDeliveries })}</>}
      </p>
      <p>{endpoint.events.map((event) => words.eventLabels[event]).join('、')}</p>
      <FormRefusal form={actions} />
      <button type="button" onClick={actions.handle(async () => (await props.onToggle(), reload()))}>
        {endpoint.enabled ? words.disable : words.enable}
      </button>{' '}
      <button type="button" onClick={actions.handle(async () => (await props.onPing(), reload()))}>
        {words.ping}
      </button>{' '}
      <button type="button" onClick={actions.handle(props.onRotate)}>
        {words.rotate}
      </button>{' '}
      <ConfirmButton label={words.remove} question={words.removeQuestion} yes={words.yes} no={words.no} className="danger" onConfirm={actions.handle(props.onRemove)} />
      <DeliveryLog deliveries={deliveries} onRefresh={reload} onReplay={(id) => actions.handle(() => replay(id))()} />
    </article>
  );
}

function DeliveryLog({ deliveries, onRefresh, onReplay }: { deliveries: WebhookDelivery[]; onRefresh: () => Promise<void>; onReplay: (id: string) => void }) {
  const words = useWords(webhooksWords);
  return (
    <>
      <h4>
        {words.log}{' '}
        <button type="button" onClick={() => void onRefresh()}>
          {words.refresh}
        </button>
      </h4>
      {deliveries.length === 0 ? (
        <p>{words.noDeliveries}</p>
      ) : (
        <table aria-label={words.log}>
          <thead>
            <tr>
              <th>{words.time}</th>
              <th>{words.event}</th>
              <th>{words.state}</th>
              <th>{words.answer}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {deliveries.map((delivery) => {
              const attempt = delivery.lastAttempt;
              return (
                <tr key={delivery.id}>
                  <td>{when(delivery.createdAt)}</td>
                  <td>
                    <code>{delivery.eventType}</code>
                  </td>
                  <td>{words.states[delivery.state]}</td>
                  <td>
                    {attempt ? (
                      <>
                        {attempt.statusCode !== null && <strong>{attempt.statusCode} </strong>}
                        <span>{attempt.durationMs} ms</span> <code className="response">{attempt.error ?? attempt.responseBody ?? ''}</code>
                      </>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>
                    <button type="button" aria-label={`${words.replay}: ${delivery.eventType} ${when(delivery.createdAt)}`} onClick={() => onReplay(delivery.id)}>
                      {words.replay}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}
