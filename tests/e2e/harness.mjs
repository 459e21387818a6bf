// The browser tests' harness (as ripgrep's tests/util.rs): one Chromium and one static server
// for a test file, fresh pages on the built page, and the page's stable hooks as helpers.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from '../../scripts/static-server.mjs';

export const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..', '..');
const dist = join(root, 'dist');
export const shots = join(here, 'screenshots');
export const fixtures = join(tmpdir(), `bootdoctor-e2e-${process.pid}`);
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

let server;
let browser;
/** The served page's address, once `before` has run. */
export let base;

before(async () => {
  assert.ok(existsSync(join(dist, 'index.html')), 'dist/ is missing: run scripts/build first');
  mkdirSync(shots, { recursive: true });
  execFileSync('python3', [join(here, 'make_fixtures.py'), fixtures]);
  server = await serve(dist, 0);
  base = `http://127.0.0.1:${server.address().port}/`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

/** A fresh page with the app started; records every request and page error. */
export async function open(viewport = { width: 1280, height: 900 }, url = base, options = {}) {
  const context = await browser.newContext({ viewport, ...options });
  const page = await context.newPage();
  const requests = [];
  const errors = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(url);
  await page.waitForSelector('select[name=platform] option[value="aliyun-fc"]', { state: 'attached' });
  return { page, context, requests, errors };
}

export async function pick(page, name) {
  await page.setInputFiles('input[type=file]', join(fixtures, name));
}

/** Drops a file on the page the way a browser does: a DataTransfer carrying a File. */
export async function drop(page, name) {
  const bytes = [...readFileSync(join(fixtures, name))];
  await page.evaluate(({ bytes, name }) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(bytes)], name, { type: 'application/zip' }));
    const target = document.querySelector('.page');
    target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, { bytes, name });
}

/** Resolves when the report answers the current inputs (the engine runs in a worker, and the
 *  paste is decoded after a pause in typing): the report area is no longer aria-busy. */
export async function settled(page) {
  await page.waitForSelector('section.report[aria-busy="false"]', { state: 'attached' });
}

/** Pastes `text` into the error box and waits for the report made from it. */
export async function paste(page, text) {
  await page.fill('textarea[name=error]', text);
  await settled(page);
}

export async function findingIds(page) {
  return page.$$eval('[data-finding-id]', (els) => els.map((e) => e.dataset.findingId));
}

export async function causeIds(page) {
  return page.$$eval('[data-cause-id]', (els) => els.map((e) => e.dataset.causeId));
}

