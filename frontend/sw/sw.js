// skygrid's service worker: the app shell opens without network, so a grid
// supervisor in a field can still see the reports waiting to be sent.
//
// Hand-written, no library. The build (vite.config.ts, precacheServiceWorker)
// writes it to dist/sw.js with PRECACHE (every file of the build under
// assets/) and VERSION (a hash of that list) filled in; `skygrid serve`
// serves it at /sw.js.
//
// - The page (index.html, at the scope's root): network first, so a deploy
//   is seen at once when online; the cached copy only when the network fails.
// - assets/*: cache first (their names carry a content hash); precached at
//   install, and cached on fetch when missing.
// - api/me, api/tasks and api/tasks/{id}: network first; each good answer
//   is kept (cache skygrid-data, marked X-Skygrid-Saved-At) and given back
//   only when the network fails, so a supervisor who opened the app online
//   can still open their tasks and report in a field with no signal. The
//   page deletes skygrid-data at log-in and log-out (per user data).
// - other api/* and tiles/*, and everything else: not handled, never
//   cached (the report queue lives in IndexedDB).
const PRECACHE = self.__SKYGRID_PRECACHE__ || [];
const VERSION = self.__SKYGRID_VERSION__ || 'dev';
const CACHE = 'skygrid-shell-' + VERSION;
const DATA = 'skygrid-data';
const SCOPE = new URL(self.registration ? self.registration.scope : self.location.href);

/** route says how a GET of url is answered: 'page', 'asset' or null (not handled). */
function route(url, mode) {
  if (url.origin !== SCOPE.origin || !url.pathname.startsWith(SCOPE.pathname)) return null;
  const path = url.pathname.slice(SCOPE.pathname.length);
  if (path === 'api/me' || path === 'api/tasks' || /^api\/tasks\/\d+$/.test(path)) return 'data';
  if (path.startsWith('api/') || path.startsWith('tiles/') || path === 'sw.js') return null;
  if (path.startsWith('assets/')) return 'asset';
  if (mode === 'navigate' || path === '' || path === 'index.html') return 'page';
  return null;
}

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // The page and every asset of this build; one that fails to load is
    // fetched again when used.
    await Promise.all([SCOPE.href, ...PRECACHE.map((p) => new URL(p, SCOPE).href)].map((u) =>
      fetch(u, { cache: 'no-cache', credentials: 'same-origin' }).then((res) => (res.ok ? cache.put(u, res) : undefined)).catch(() => undefined)));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const k of await caches.keys()) if (k.startsWith('skygrid-shell-') && k !== CACHE) await caches.delete(k);
    await self.clients.claim();
  })());
});

async function page(request) {
  const cache = await caches.open(CACHE);
  try {
    const res = await fetch(request);
    if (res.ok) await cache.put(SCOPE.href, res.clone());
    return res;
  } catch (err) {
    const hit = await cache.match(SCOPE.href);
    if (hit) return hit;
    throw err;
  }
}

async function asset(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request, { ignoreSearch: true });
  if (hit) return hit;
  const res = await fetch(request);
  if (res.ok) await cache.put(request, res.clone());
  return res;
}

async function data(request) {
  let res;
  try {
    res = await fetch(request);
  } catch (err) {
    const hit = await (await caches.open(DATA)).match(request);
    if (hit) return hit;
    throw err;
  }
  if (res.status === 200) {
    const headers = new Headers(res.headers);
    headers.set('X-Skygrid-Saved-At', new Date().toISOString());
    const copy = new Response(await res.clone().blob(), { status: 200, statusText: res.statusText, headers });
    await (await caches.open(DATA)).put(request, copy);
  }
  return res;
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const how = route(new URL(req.url), req.mode);
  if (how === 'page') event.respondWith(page(req));
  else if (how === 'asset') event.respondWith(asset(req));
  else if (how === 'data') event.respondWith(data(req));
});
