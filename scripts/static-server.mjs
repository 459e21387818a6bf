// A minimal static file server for dist/: the right MIME types (application/wasm), the build's
// .br/.gz copies when the browser accepts them, no directory listing, no path escape, 127.0.0.1 only. Used by scripts/serve and the browser tests.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

/** Starts serving `root` on 127.0.0.1:`port` (0 = any free port); resolves to the server. */
export function serve(root, port = 0) {
  const base = resolve(root);
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://localhost');
      let path = normalize(join(base, decodeURIComponent(url.pathname)));
      if (!path.startsWith(base)) {
        res.writeHead(403).end();
        return;
      }
      if ((await stat(path).catch(() => null))?.isDirectory()) path = join(path, 'index.html');
      // The build writes .br and .gz beside text and wasm files: send one when the browser takes it.
      const accepts = String(req.headers['accept-encoding'] || '');
      let encoding = null;
      let body = null;
      for (const [name, ext] of [['br', '.br'], ['gzip', '.gz']]) {
        if (new RegExp(`\\b${name}\\b`).test(accepts)) {
          body = await readFile(path + ext).catch(() => null);
          if (body !== null) {
            encoding = name;
            break;
          }
        }
      }
      body ??= await readFile(path).catch(() => null);
      if (body === null) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      const headers = { 'content-type': TYPES[extname(path)] || 'application/octet-stream', 'cache-control': 'no-cache', vary: 'accept-encoding' };
      if (encoding) headers['content-encoding'] = encoding;
      res.writeHead(200, headers);
      res.end(body);
    } catch {
      res.writeHead(400).end();
    }
  });
  return new Promise((ok) => server.listen(port, '127.0.0.1', () => ok(server)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = process.argv[2] || 'dist';
  const port = Number(process.argv[3] || 8080);
  const server = await serve(root, port);
  console.log(`Bootdoctor is served at http://127.0.0.1:${server.address().port}/ (Ctrl-C to stop)`);
}
