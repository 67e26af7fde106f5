// casereel's service worker: the app shell works offline. The build
// (packaging/web_build.sh) fills SHELL with the files of this release
// under /v/<hash>/ (hls.js only if a page asks for it), so a new release is
// a new worker; install caches them with the page itself, any other file of
// the release is cached when first fetched, and old releases' caches go at
// activation. The
// page is fetched from the network first (a new release shows at once) and
// from the cache offline. API answers and media are never cached: a shared
// phone keeps nothing of the last person's, and logout clears the rest.
const SHELL = [/* files of this release, filled in by the build */];
const CACHE = `casereel-shell-${SHELL.length ? SHELL[0].split('/')[2] : 'dev'}`;

self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(['/', ...SHELL])).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (e) => {
  e.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener('message', (e) => {
  // logout: drop everything but this release's shell
  if (e.data === 'logout') {
    e.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k)))));
  }
});

self.addEventListener('fetch', (e) => {
  const req = e.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.mode === 'navigate' && url.pathname === '/') {
    e.respondWith(fetch(req).catch(() => caches.match('/', { ignoreSearch: true })));
  } else if (url.pathname.startsWith('/v/')) {
    e.respondWith(caches.match(req).then((hit) => hit || fetch(req).then((res) => {
      if (res.ok) { const copy = res.clone(); e.waitUntil(caches.open(CACHE).then((c) => c.put(req, copy))); }
      return res;
    })));
  }
});
