// Trunk post-build hook, after csp-hash.mjs: makes the built page work offline and load compressed.
//   1. writes sw.js, a service worker that keeps every built file (listed here, versioned by their
//      contents), so that after a first visit the page reloads and diagnoses with no network;
//   2. writes .br and .gz beside every text or wasm file, for servers that send them
//      (scripts/static-server.mjs does, as does the nginx recipe in docs/deploy.md).
// The worker fetches only the page's own files: nothing a user drops or pastes is ever requested.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const dir = process.env.TRUNK_STAGING_DIR || process.argv[2] || 'dist';
const COMPRESSED = /\.(html|js|mjs|css|svg|json|wasm)$/;

const files = readdirSync(dir)
  .filter((f) => statSync(join(dir, f)).isFile() && !/\.(br|gz|conf)$/.test(f) && f !== 'sw.js')
  .sort();
const version = createHash('sha256');
for (const f of files) version.update(f).update(readFileSync(join(dir, f)));
const assets = ['./', ...files.map((f) => `./${f}`)];

const worker = `// Bootdoctor's service worker, written by scripts/offline.mjs when the page is built.
// It keeps the page's own files so that the page reloads and works offline after a first visit;
// it fetches and stores nothing else (the page never sends what a user drops or pastes).
const VERSION = 'bootdoctor-${version.digest('hex').slice(0, 16)}';
const ASSETS = ${JSON.stringify(assets)};

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(VERSION).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('bootdoctor-') && k !== VERSION).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// The network's copy first (a new deploy is never mixed with kept files), the kept one offline.
self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(
    fetch(request).catch(async () => {
      const cache = await caches.open(VERSION);
      const kept = await cache.match(request, { ignoreSearch: true });
      if (kept) return kept;
      if (request.mode === 'navigate') return cache.match('./');
      return Response.error();
    }),
  );
});
`;
writeFileSync(join(dir, 'sw.js'), worker);

let raw = 0;
let brotli = 0;
for (const f of [...files, 'sw.js'].filter((f) => COMPRESSED.test(f))) {
  const body = readFileSync(join(dir, f));
  const br = brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } });
  writeFileSync(join(dir, `${f}.br`), br);
  writeFileSync(join(dir, `${f}.gz`), gzipSync(body, { level: 9 }));
  raw += body.length;
  brotli += br.length;
}
console.log(`offline: sw.js keeps ${assets.length} files; ${raw} bytes of text and wasm, ${brotli} as brotli`);
