// Trunk post-build hook: Trunk's loader is an inline <script type="module">, which the page's
// Content-Security-Policy would block. Allow exactly that script by its SHA-256, nothing else inline,
// and write the policy as an nginx header line too (csp-header.conf, see docs/deploy.md).
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.TRUNK_STAGING_DIR || process.argv[2] || 'dist';
const file = join(dir, 'index.html');
let html = readFileSync(file, 'utf8');
const scripts = [...html.matchAll(/<script type="module">([\s\S]*?)<\/script>/g)].map((m) => m[1]);
if (scripts.length === 0) {
  console.error('csp-hash: no inline module script found; leaving the policy as is');
  process.exit(0);
}
const hashes = scripts.map((s) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`);
html = html.replace(/script-src 'self'[^;"]*/, `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(' ')}`);
writeFileSync(file, html);
// The same policy as a response header, for servers that can send one (docs/nginx.conf includes
// this file): a header may also forbid framing, which a meta tag cannot.
const policy = html.match(/http-equiv="Content-Security-Policy" content="([^"]*)"/)?.[1];
if (policy) {
  writeFileSync(join(dir, 'csp-header.conf'), `add_header Content-Security-Policy "${policy}; frame-ancestors 'none'" always;\n`);
}
