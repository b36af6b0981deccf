import { useState } from 'react';
import { fill, useWords } from '../../i18n';
import { Field, FormRefusal, FormSubmit, useServerForm } from '../../shared/forms';
import { toLocalInput } from '../../shared/time';
import { ConfirmButton } from '../members/ConfirmButton';
import { useDeliveries, useWebhooks } from './useWebhooks';
import type { WebhookDelivery, WebhookEndpoint, WebhookSubscription } from './useWebhooks';
import { webhooksWords } from './words';

const when = (iso: string) => new Date(iso).toLocaleString();
const DAY_MS = 24 * 3_600_000;

/**
 * `/app/admin/webhooks`: add an endpoint (its signing secret shown once, with a copy button), choose its events,
 * switch it on and off, send a test event, and read each endpoint's delivery log with the receiver's answers and
 * a replay button, a page at a time; and send again every delivery that failed for good since a time.
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
  const log = useDeliveries(endpoint.id);
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
      <button type="button" onClick={actions.handle(async () => (await props.onToggle(), log.reload()))}>
        {endpoint.enabled ? words.disable : words.enable}
      </button>{' '}
      <button type="button" onClick={actions.handle(async () => (await props.onPing(), log.reload()))}>
        {words.ping}
      </button>{' '}
      <button type="button" onClick={actions.handle(props.onRotate)}>
        {words.rotate}
      </button>{' '}
      <ConfirmButton label={words.remove} question={words.removeQuestion} yes={words.yes} no={words.no} className="danger" onConfirm={actions.handle(props.onRemove)} />
      <DeliveryLog
        endpointId={endpoint.id}
        deliveries={log.deliveries}
        hasMore={log.hasMore}
        onRefresh={log.reload}
        onMore={actions.handle(log.more)}
        onReplay={(id) => actions.handle(() => log.replay(id))()}
        onReplayFailed={log.replayFailed}
      />
    </article>
  );
}

function DeliveryLog(props: {
  endpointId: string;
  deliveries: WebhookDelivery[];
  hasMore: boolean;
  onRefresh: () => Promise<void>;
  onMore: () => void;
  onReplay: (id: string) => void;
  onReplayFailed: (since: string) => Promise<number>;
}) {
  const { deliveries, onRefresh, onReplay } = props;
  const words = useWords(webhooksWords);
  return (
    <>
      <h4>
        {words.log}{' '}
        <button type="button" onClick={() => void onRefresh()}>
          {words.refresh}
        </button>
      </h4>
      {deliveries.length > 0 && <ReplayFailedForm endpointId={props.endpointId} onReplayFailed={props.onReplayFailed} />}
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
      {props.hasMore && (
        <button type="button" onClick={props.onMore}>
          {words.more}
        </button>
      )}
    </>
  );
}

/** Sends again what failed for good among the events since a time: by default the last day, in the browser's time. */
function ReplayFailedForm({ endpointId, onReplayFailed }: { endpointId: string; onReplayFailed: (since: string) => Promise<number> }) {
  const words = useWords(webhooksWords);
  const form = useServerForm(['since'] as const);
  const [since, setSince] = useState(() => toLocalInput(new Date(Date.now() - DAY_MS).toISOString()));
  const [replayed, setReplayed] = useState<number | null>(null);
  const submit = form.handle(async () => {
    setReplayed(null);
    // An emptied field goes as it is: the hub's refusal names it, and the sentence shows under it.
    setReplayed(await onReplayFailed(since ? new Date(since).toISOString() : since));
  });
  return (
    <form className="replay-failed" onSubmit={submit} aria-label={words.replayFailed} noValidate>
      <Field form={form} name="since" label={words.replaySince} hint={words.replaySinceHint} scope={`replay-${endpointId}`}>
        {(control) => <input {...control} type="datetime-local" value={since} onChange={(e) => setSince(e.target.value)} />}
      </Field>
      <FormSubmit form={form} label={words.replayFailed} />
      {replayed !== null && <p role="status">{replayed === 0 ? words.replayedNone : fill(words.replayedFailed, { n: replayed })}</p>}
    </form>
  );
}
