// Keeps the playground working offline once it has loaded: every asset is
// cached on install and served from the cache first. The cache name carries
// the build, so a new seclabel serves new files.
const CACHE = 'seclabel-playground-BUILD';
const ASSETS = ['./', 'index.html', 'style.css', 'app.js', 'worker.js', 'seclabel.wasm', 'samples/index.json',
  'samples/hiv-care.json', 'samples/substance-use.json', 'samples/mental-health.json', 'samples/inline-labels.json', 'samples/words.json'];

self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (e) => {
  e.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (e) => {
  if (e.request.method !== 'GET') return;
  e.respondWith(caches.match(e.request).then((hit) => hit || fetch(e.request)));
});
