// The service worker: keeps the page (one self-contained file) for offline use, and the last
// trust bundle fetched. The page verifies every bundle itself before trusting it; this only
// stores bytes. A new build has a new VERSION, so the new page replaces the old one.

const VERSION = '__BUILD_ID__';
const PAGE_CACHE = `dte-verifier-page-${VERSION}`;
const DATA_CACHE = 'dte-verifier-data';
const PAGE = '/verify';

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(PAGE_CACHE)
      .then((cache) => cache.add(new Request(PAGE, { cache: 'reload' })))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith('dte-verifier-page-') && n !== PAGE_CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

async function page(request) {
  const cached = await caches.match(PAGE, { cacheName: PAGE_CACHE });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) (await caches.open(PAGE_CACHE)).put(PAGE, response.clone());
  return response;
}

async function bundle(request) {
  const cache = await caches.open(DATA_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put('/bundle.json', response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match('/bundle.json');
    if (!cached) throw error;
    // Tell the page this copy is not fresh from the server.
    const headers = new Headers(cached.headers);
    headers.set('x-dte-offline', '1');
    return new Response(await cached.arrayBuffer(), { status: 200, headers });
  }
}

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname === PAGE || url.pathname === `${PAGE}/`) event.respondWith(page(event.request));
  else if (url.pathname === '/bundle.json') event.respondWith(bundle(event.request));
});
