import { useEffect, useState } from 'react';
import { answer, hub } from '../api';
import type { Views } from '../api';
import { useWords } from '../i18n';
import { useSession } from '../shared/session';
import { PUSH_SUBSCRIPTION_KEY } from '../shared/worker';
import { pushWords } from './pushWords';

type Kind = keyof Views['PushSettings'];
const KINDS: Kind[] = ['offers', 'messages', 'sales', 'drafts'];

const supported = () => 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;

/** This device's Web Push: subscribe or not, and (for all of the member's devices) which news is pushed. */
export function PushSettings() {
  const words = useWords(pushWords);
  const { language } = useSession();
  const [state, setState] = useState<Views['PushState'] | null>(null);
  const [here, setHere] = useState<PushSubscription | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [permission, setPermission] = useState(() => (supported() ? Notification.permission : 'denied'));

  useEffect(() => {
    void answer(hub.GET('/api/push')).then(setState);
    if (supported()) void navigator.serviceWorker.ready.then((registration) => registration.pushManager.getSubscription()).then(setHere);
  }, []);

  const enable = async () => {
    setFailure(null);
    try {
      const granted = await Notification.requestPermission();
      setPermission(granted);
      if (granted !== 'granted' || !state) return;
      const registration = await navigator.serviceWorker.ready;
      const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: state.publicKey });
      const json = subscription.toJSON();
      const saved = await answer(
        hub.POST('/api/push/subscriptions', { body: { endpoint: json.endpoint!, keys: { p256dh: json.keys!.p256dh, auth: json.keys!.auth }, language } }),
      );
      localStorage.setItem(PUSH_SUBSCRIPTION_KEY, saved.id);
      setHere(subscription);
    } catch (error) {
      setFailure(error instanceof Error ? error.message : String(error));
    }
  };

  const disable = async () => {
    const id = localStorage.getItem(PUSH_SUBSCRIPTION_KEY);
    localStorage.removeItem(PUSH_SUBSCRIPTION_KEY);
    if (id) await answer(hub.DELETE('/api/push/subscriptions/{id}', { params: { path: { id } } })).catch(() => undefined);
    await here?.unsubscribe();
    setHere(null);
  };

  // Shown at once, then saved; the hub's answer (or the old value, on a refusal) settles it.
  const choose = async (kind: Kind, on: boolean) => {
    const settle = (settings: Views['PushSettings']) => setState((current) => current && { ...current, settings });
    const before = state?.settings;
    if (before) settle({ ...before, [kind]: on });
    try {
      settle(await answer(hub.PATCH('/api/push/settings', { body: { [kind]: on } })));
    } catch (error) {
      if (before) settle(before);
      setFailure(error instanceof Error ? error.message : String(error));
    }
  };

  const ios = /iPhone|iPad/.test(navigator.userAgent) && !matchMedia('(display-mode: standalone)').matches;
  return (
    <section aria-label={words.title}>
      <h3>{words.title}</h3>
      <p className="hint">{words.hint}</p>
      {ios && <p className="hint">{words.iosHint}</p>}
      {!supported() ? (
        <p>{words.unsupported}</p>
      ) : permission === 'denied' ? (
        <p role="alert">{words.denied}</p>
      ) : here ? (
        <p>
          {words.enabled}{' '}
          <button type="button" onClick={() => void disable()}>
            {words.disable}
          </button>
        </p>
      ) : (
        <button type="button" onClick={() => void enable()} disabled={!state}>
          {words.enable}
        </button>
      )}
      {failure && <p role="alert">{failure}</p>}
      {state && (
        <fieldset>
          <legend>{words.which}</legend>
          {KINDS.map((kind) => (
            <label key={kind}>
              <input type="checkbox" checked={state.settings[kind]} onChange={(e) => void choose(kind, e.target.checked)} /> {words[kind]}
            </label>
          ))}
        </fieldset>
      )}
    </section>
  );
}
