// ReasonLab's service worker. scripts/finish-site.mjs writes it into the built
// site with the build's version, its page files and its policy filled in.
//
// Two jobs, for a site on any static host:
// - Cross-origin isolation without server headers. The threaded CPU worker
//   needs shared memory, which needs COOP and COEP on the page and its
//   workers. Most static hosts cannot send them, so every response of the
//   site passes through here and gets them (with the site's CSP). The page
//   reloads once after the first visit to be served this way (www/offline.js).
// - Offline after the first visit. Whatever the site fetches (the page, the
//   modules, the data files) is kept in a cache named by the build, and served
//   from there first. A new build has a new version, so this file changes and
//   the browser installs the new worker beside the old; it waits until the
//   page says to take over (the page shows an "update ready" notice), then
//   deletes the old build's cache.
const VERSION = '__VERSION__';
const SHELL = __SHELL__;
const CSP = __CSP__;
// Caches are shared by a whole origin; two copies of the site at different
// paths of one host must not delete each other's.
const PREFIX = `reasonlab ${self.registration.scope} `;
const CACHE = PREFIX + VERSION;

// Every module of this build, kept before the build takes over: the page
// and its workers are never files of two builds (their names are not all
// hashed), and the browser's own HTTP cache is passed by.
self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: 'reload' })))));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    }
    // The page that registered us is served by us from now on, not after a reload.
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  if (event.data === 'take-over') self.skipWaiting();
  // The files the first visit fetched before this worker served the page.
  if (event.data?.keep) event.waitUntil(keep(event.data.keep));
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  // Ranges (media) are left to the browser: the cache holds whole files.
  if (request.method !== 'GET' || !request.url.startsWith(self.registration.scope) || request.headers.has('range')) return;
  event.respondWith(respond(request, event));
});

/** The page itself, whatever its link's query: the hash never reaches us. */
function keyFor(request) {
  const url = new URL(request.url);
  const page = url.origin + url.pathname;
  if (request.mode === 'navigate' && (page === self.registration.scope || page === self.registration.scope + 'index.html')) {
    return self.registration.scope;
  }
  url.hash = '';
  return url.href;
}

async function respond(request, event) {
  const cache = await caches.open(CACHE);
  const key = keyFor(request);
  let response = await cache.match(key);
  if (!response) {
    try {
      // Past the browser's HTTP cache too (a host may let it keep a file
      // for minutes): what is kept must be this build's.
      response = await fetch(request.mode === 'navigate' ? request : new Request(request, { cache: 'no-cache' }));
    } catch (error) {
      // Offline and never fetched: the browser's own error.
      return Response.error();
    }
    // Only whole, plain answers are kept: never an error page or a partial
    // range. Kept while the page reads it, not before: a data file's
    // progress bar moves as its bytes arrive.
    if (response.status === 200 && !response.headers.has('content-range')) event.waitUntil(cache.put(key, response.clone()));
  }
  // A redirect the page follows itself (an opaque one has no status to copy).
  if (response.type === 'opaqueredirect' || response.status === 0) return response;
  return isolated(response);
}

async function keep(urls) {
  const cache = await caches.open(CACHE);
  for (const url of urls) {
    if (!url.startsWith(self.registration.scope) || (await cache.match(url))) continue;
    try {
      const response = await fetch(url);
      if (response.status === 200) await cache.put(url, response);
    } catch {
      // Offline already: it is fetched again on its next use.
    }
  }
}

/** A copy of a response with the headers a cross-origin-isolated page needs. */
function isolated(response) {
  const headers = new Headers(response.headers);
  headers.set('cross-origin-opener-policy', 'same-origin');
  headers.set('cross-origin-embedder-policy', 'require-corp');
  headers.set('cross-origin-resource-policy', 'same-origin');
  if (!headers.has('content-security-policy')) headers.set('content-security-policy', `${CSP}; frame-ancestors 'none'`);
  // The body reaches us decoded: its compressed length would be wrong.
  if (headers.has('content-encoding')) {
    headers.delete('content-encoding');
    headers.delete('content-length');
  }
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
