// The page's service worker: it keeps what the page and its scoring worker loaded, so the
// pre-screen works offline once it has loaded (the form, the scripts, the bundle and,
// for a bundle with neural members, onnxruntime-web's files). Network first: online, the
// page always gets the server's current files; offline, the last ones it saw.
const CACHE = 'riskscore-prescreen-v1';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

// The page sends the URLs fetched before this worker controlled it (the first visit).
self.addEventListener('message', (event) => {
  const urls = Array.isArray(event.data?.cache) ? event.data.cache : [];
  const sameOrigin = urls.filter((u) => typeof u === 'string' && new URL(u).origin === self.location.origin);
  event.waitUntil(caches.open(CACHE).then(async (cache) => {
    for (const u of sameOrigin) {
      if (await cache.match(u)) continue;
      try { await cache.add(u); } catch { /* gone from the server: nothing to keep */ }
    }
    event.source?.postMessage({ cached: sameOrigin.length });
  }));
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET' || new URL(req.url).origin !== self.location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const res = await fetch(req);
      if (res.ok) await cache.put(req, res.clone());
      return res;
    } catch (e) {
      const hit = await cache.match(req, { ignoreSearch: new URL(req.url).pathname.endsWith('/') });
      if (hit) return hit;
      throw e;
    }
  })());
});
