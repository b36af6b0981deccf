// The inbox's service worker (public/sw.js): registered at start so that pushes and their notifications work while
// the inbox is in the background or closed. Kept small: it is part of what /app loads before any click.

const SCOPE = '/app';
const DB_NAME = 'tsunagi-inbox';
const STORE = 'session';
/** The id the hub gave this browser's push subscription, to remove it at sign-out. */
export const PUSH_SUBSCRIPTION_KEY = 'tsunagi:pushSubscription';

export function registerInboxWorker(): void {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/app/sw.js', { scope: SCOPE }).catch(() => undefined);
  // A notification clicked while the inbox is open: the worker says where to go; the router follows history.
  navigator.serviceWorker.addEventListener('message', (event: MessageEvent<{ type?: string; path?: string }>) => {
    const path = event.data?.path;
    if (event.data?.type !== 'open' || typeof path !== 'string' || !path.startsWith('/app')) return;
    history.pushState(null, '', path);
    dispatchEvent(new PopStateEvent('popstate'));
  });
}

/** The worker cannot read localStorage: the access token is mirrored into IndexedDB for its Accept button. */
export function shareToken(token: string | null): void {
  if (typeof indexedDB === 'undefined') return;
  const request = indexedDB.open(DB_NAME, 1);
  request.onupgradeneeded = () => request.result.createObjectStore(STORE);
  request.onsuccess = () => {
    const db = request.result;
    const transaction = db.transaction(STORE, 'readwrite');
    if (token) transaction.objectStore(STORE).put(token, 'token');
    else transaction.objectStore(STORE).delete('token');
    transaction.oncomplete = () => db.close();
  };
}

/** Signing out: this browser's pushes stop (the hub forgets the subscription, the browser drops it). */
export async function forgetPushSubscription(token: string): Promise<void> {
  const id = localStorage.getItem(PUSH_SUBSCRIPTION_KEY);
  localStorage.removeItem(PUSH_SUBSCRIPTION_KEY);
  if (id) await fetch(`/api/push/subscriptions/${encodeURIComponent(id)}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } }).catch(() => undefined);
  const registration = await navigator.serviceWorker?.getRegistration(SCOPE);
  await (await registration?.pushManager.getSubscription())?.unsubscribe();
}

/** The member switched the inbox's language: this browser's pushes follow (registering again updates it). */
export async function updatePushLanguage(language: string, token: string): Promise<void> {
  if (!localStorage.getItem(PUSH_SUBSCRIPTION_KEY)) return;
  const registration = await navigator.serviceWorker?.getRegistration(SCOPE);
  const subscription = await registration?.pushManager.getSubscription();
  if (!subscription) return;
  await fetch('/api/push/subscriptions', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ...subscription.toJSON(), language }),
  }).catch(() => undefined);
}
