// The inbox's service worker, served at /app/sw.js for the scope /app (the hub answers Service-Worker-Allowed: /app).
// It shows the hub's Web Push notifications, and takes an offered chat from the notification's Accept button. It
// caches nothing: the inbox needs the hub to be of any use.
//
// The push payload (encrypted to this browser's subscription; see docs/web-app.md) is
// {kind, title, body, tag, url, conversationId, offerId?, expiresAt?, actions?}, its words in the member's language.

/* global self, clients, indexedDB, URL, fetch */

// Where the inbox leaves its access token for this worker (a worker cannot read localStorage).
const DB_NAME = 'tsunagi-inbox';
const STORE = 'session';

self.addEventListener('install', () => void self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  let payload = null;
  try {
    payload = event.data ? event.data.json() : null;
  } catch {
    payload = null;
  }
  event.waitUntil(show(payload));
});

self.addEventListener('notificationclick', (event) => {
  const data = event.notification.data || null;
  event.notification.close();
  event.waitUntil(clicked(data, event.action));
});

/** @param {Record<string, unknown> | null} payload */
async function show(payload) {
  if (!payload || typeof payload.title !== 'string') return;
  // An offer always shows: its countdown runs whether or not the inbox is in front. Other news is left to the inbox
  // when the member is looking at it.
  if (payload.kind !== 'offers' && (await inboxInFront())) return;
  const actions = Array.isArray(payload.actions) ? payload.actions.filter((a) => a && (a.action === 'accept' || a.action === 'open')) : [];
  await self.registration.showNotification(payload.title, {
    body: typeof payload.body === 'string' ? payload.body : '',
    tag: typeof payload.tag === 'string' ? payload.tag : undefined,
    data: payload,
    icon: '/app/icons/icon-192.png',
    badge: '/app/icons/badge-96.png',
    lang: typeof payload.lang === 'string' ? payload.lang : undefined,
    // An offer stays on screen until the member acts on it (where the platform honours it).
    requireInteraction: payload.kind === 'offers',
    renotify: payload.kind === 'offers' || payload.kind === 'messages',
    timestamp: Date.now(),
    actions: actions.map((a) => ({ action: a.action, title: String(a.title) })),
  });
}

async function inboxInFront() {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  return windows.some((w) => w.focused && w.visibilityState === 'visible');
}

/**
 * Accept takes the chat with the member's own token, as the inbox's button does, then shows the conversation;
 * a plain click (or Open) only shows it. An offer taken by someone else or expired meanwhile is refused by the hub:
 * the conversation opens all the same and says who has it.
 * @param {Record<string, unknown> | null} data
 * @param {string} action
 */
async function clicked(data, action) {
  if (!data) return openInbox('/app');
  if (action === 'accept' && typeof data.conversationId === 'string') {
    await accept(data.conversationId).catch(() => false);
  }
  return openInbox(typeof data.url === 'string' ? data.url : '/app');
}

/** @param {string} conversationId */
async function accept(conversationId) {
  const token = await storedToken();
  if (!token) return false;
  const response = await fetch(`/api/conversations/${encodeURIComponent(conversationId)}/accept`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
  return response.ok;
}

/** A window of the inbox already open is brought to the front and told where to go; else a new one opens. */
async function openInbox(path) {
  let target = new URL(path, self.location.origin);
  // Only the inbox's own pages: a payload names a path, never another site.
  if (target.origin !== self.location.origin || !(target.pathname === '/app' || target.pathname.startsWith('/app/'))) target = new URL('/app', self.location.origin);
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const open = windows.find((w) => new URL(w.url).pathname.startsWith('/app'));
  try {
    if (open) {
      open.postMessage({ type: 'open', path: target.pathname + target.search });
      await open.focus();
      return;
    }
    await clients.openWindow(target.href);
  } catch {
    // Focusing and opening windows need the click's user activation; without it (the page went away) nothing opens.
  }
}

function storedToken() {
  return new Promise((resolve) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onerror = () => resolve(null);
    request.onsuccess = () => {
      const db = request.result;
      const read = db.transaction(STORE, 'readonly').objectStore(STORE).get('token');
      read.onsuccess = () => {
        db.close();
        resolve(typeof read.result === 'string' ? read.result : null);
      };
      read.onerror = () => {
        db.close();
        resolve(null);
      };
    };
  });
}
