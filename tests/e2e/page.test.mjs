// End-to-end: the built page (dist/) in Debian's headless Chromium, driven by playwright-core.
// Picks and drops real zips, pastes every seed error, and reads the page through its stable hooks
// (data-finding-id, data-cause-id). Screenshots go to tests/e2e/screenshots/ for a human to look at.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { base, causeIds, drop, findingIds, fixtures, open, paste, pick, root, shots } from './harness.mjs';

test('the page loads offline-ready with every platform and the inputs', async () => {
  const { page, context, errors } = await open();
  assert.match(await page.title(), /Bootdoctor/);
  const options = await page.$$eval('select[name=platform] option', (os) => os.map((o) => o.value));
  for (const id of ['aliyun-fc', 'aliyun-fc-debian12', 'tencent-scf', 'tencent-scf-web', 'aws-lambda-al2',
    'aws-lambda-al2023', 'aws-lambda-al2023-arm64', 'gcp-cloud-run', 'aws-lambda-python3.12', 'aws-lambda-nodejs20.x',
    'aws-lambda-java21', 'aliyun-fc-python3.10', 'tencent-scf-python3.9', 'gcp-cloud-functions-nodejs20']) {
    assert.ok(options.includes(id), `missing platform option ${id}`);
  }
  assert.ok(await page.$('textarea[name=error]'));
  assert.ok(await page.$('input[type=file]'));
  await page.screenshot({ path: join(shots, '01-empty.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test('a Windows-made package picked with the file input shows its findings', async () => {
  const { page, context, errors } = await open();
  await pick(page, 'windows.zip');
  await page.waitForSelector('[data-finding-id="exec-bit-missing"]');
  const ids = await findingIds(page);
  assert.ok(ids.includes('exec-bit-missing') && ids.includes('crlf-shebang'), ids.join());
  const card = await page.textContent('[data-finding-id="exec-bit-missing"]');
  assert.match(card, /host 0/);
  assert.match(card, /code 13, message:permission denied/);
  assert.match(card, /chmod 755 bootstrap/);
  // The file tree shows the entry with its badges.
  const row = await page.textContent('tr[data-path="bootstrap"]');
  assert.match(row, /no Unix mode stored/);
  assert.match(row, /CRLF/);
  await page.screenshot({ path: join(shots, '02-windows-zip.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test('a dropped package wrapped in a folder is found nested', async () => {
  const { page, context } = await open();
  await drop(page, 'nested.zip');
  await page.waitForSelector('[data-finding-id="entry-nested"]');
  const text = await page.textContent('[data-finding-id="entry-nested"]');
  assert.match(text, /cd myapp && zip -r \.\.\/function\.zip \./);
  await page.screenshot({ path: join(shots, '03-nested-dropped.png'), fullPage: true });
  await context.close();
});

test('server code is read: a Flask app on its default 127.0.0.1 is found', async () => {
  const { page, context } = await open();
  await pick(page, 'localhost.zip');
  await page.waitForSelector('[data-finding-id="listen-localhost"]');
  const text = await page.textContent('[data-finding-id="listen-localhost"]');
  assert.match(text, /app\.py:3: app\.run\(port=9000\)/);
  assert.match(text, /health check failed on port 9000/);
  await paste(page, 'Function instance health check failed on port 9000 in 120 seconds.\nLogs:');
  await page.waitForSelector('[data-cause-id="listen-localhost"]');
  const first = await page.$eval('[data-cause-id]', (e) => ({ id: e.dataset.causeId, text: e.textContent }));
  assert.equal(first.id, 'listen-localhost');
  assert.match(first.text, /Confirmed by your package/);
  await page.screenshot({ path: join(shots, '07-listen-localhost.png'), fullPage: true });
  await context.close();
});

test('a clean package says so, and platform choice changes the verdict', async () => {
  const { page, context } = await open();
  await pick(page, 'good.zip');
  await page.waitForSelector('[data-clean]');
  assert.deepEqual(await findingIds(page), []);
  assert.equal(await page.$('[data-action=repair]'), null, 'nothing to repair, no repair button');
  await pick(page, 'macho.zip');
  await page.waitForSelector('[data-finding-id="binary-not-linux"]');
  assert.equal(await page.$('[data-action=repair]'), null, 'a macOS binary is not repairable');
  await page.selectOption('select[name=platform]', 'aws-lambda-al2023-arm64');
  await page.waitForSelector('[data-platform="aws-lambda-al2023-arm64"]');
  assert.ok((await findingIds(page)).includes('binary-not-linux'));
  await context.close();
});

test('a managed runtime checks the handler: the default names a function the file lacks, the right one is clean', async () => {
  const { page, context, errors } = await open();
  // With no platform chosen, lambda_function.py at the root says which one it is.
  await pick(page, 'lambda-python.zip');
  await page.waitForSelector('[data-finding-id="handler-misnamed"]');
  assert.match(await page.textContent('select[name=platform] option[value=""]'), /Detected: AWS Lambda — python3\.12/);
  await page.selectOption('select[name=platform]', 'aws-lambda-python3.12');
  await page.waitForSelector('[data-platform="aws-lambda-python3.12"]');
  await page.waitForSelector('[data-finding-id="handler-misnamed"]');
  assert.deepEqual(await findingIds(page), ['handler-misnamed']);
  const card = await page.textContent('[data-finding-id="handler-misnamed"]');
  assert.match(card, /Handler 'lambda_handler' missing on module 'lambda_function'/);
  assert.match(card, /lambda_function\.handler/);
  assert.ok(!(await findingIds(page)).includes('entry-missing'), 'no bootstrap is asked for');
  await page.screenshot({ path: join(shots, '08b-lambda-python-handler.png'), fullPage: true });
  await page.fill('input[name=start]', 'lambda_function.handler');
  await page.waitForSelector('[data-clean]');
  assert.deepEqual(await findingIds(page), []);
  assert.deepEqual(errors, []);
  await context.close();
});

// Every example of the two seed documents, pasted, shows its documented cause first (or, where the
// document names a family of causes, among the first three).
const SEEDS = [
  ['The function cannot be started. Failed to start function instance. Error: the file /code/bootstrap is not exist', 'entry-missing', 1],
  ['Function instance health check failed on port 9001 in 120 seconds.\\nLogs:', 'listen-localhost', 2],
  ['Function instance health check failed on port 9001 in 120 seconds.\\nLogs:', 'listen-wrong-port', 2],
  ["Function instance exited unexpectedly(code 2, message:no such file or directory) with start command '/code/bootstrap '.\nLogs:", 'entry-missing', 1],
  ["The function cannot be started. Function instance exited unexpectedly(code 13, message:permission denied) with start command '/code/bootstrap '.", 'exec-bit-missing', 1],
  ["Function instance exited unexpectedly(code 2, message:no such file or directory) with start command 'python3 not_exist_file.py '.\nLogs:xxx", 'entry-missing', 1],
  ["Function instance exited unexpectedly(code 2, message:no such file or directory) with start command '/code/bootstrap '.\nLogs:python3: can't open file '/code/not_exist_file.py': [Errno 2] No such file or directory", 'entry-missing', 1],
  ["Function instance exited unexpectedly(code 1, message:operation not permitted) with start command 'npm run start '.\nLogs:> nodejs-express@0.0.0 start /code\n> node ./not_exist_file.js\n\ninternal/modules/cjs/loader.js:905\n  throw err;\n  ^\n\nError: Cannot find module '/code/not_exist_file.js'\n  code: 'MODULE_NOT_FOUND',\nnpm ERR! code ELIFECYCLE\nnpm ERR! errno 1", 'entry-missing', 1],
  ["Function instance exited unexpectedly(code 1, message:operation not permitted) with start command 'java -Dserver.port=9000 -jar target/not_exist_file.jar '.\nLogs:Error: Unable to access jarfile target/not_exist_file.jar", 'entry-missing', 1],
  ["Function instance exited unexpectedly(code 1, message:operation not permitted) with start command 'php not_exist_file.php '.\nLogs:Could not open input file: not_exist_file.php", 'entry-missing', 1],
  ["Function instance exited unexpectedly(code 145) with start command 'dotnet ./target/NotExistFile.dll '.\nLogs:Could not execute because the application was not found or a compatible .NET SDK is not installed.", 'entry-missing', 1],
  ["Function instance exited unexpectedly(code 1, message:operation not permitted) with start command 'ruby not_exist_file.rb '.\nLogs:Traceback (most recent call last):\nruby: No such file or directory -- not_exist_file.rb (LoadError)", 'entry-missing', 1],
  ["Function instance exited unexpectedly(code 8, message:exec format error) with start command '/code/bootstrap '.\nLogs:", 'shebang-missing', 3],
  ["Function instance exited unexpectedly(code 127, message:key has expired) with start command '/code/bootstrap '.\nLogs:/usr/bin/env: ‘bash\\r’: No such file or directory", 'crlf-shebang', 1],
  ["Function instance exited unexpectedly(code 8, message:exec format error) with start command './main '.\nLogs:", 'binary-not-linux', 1],
  ['Exit Code 137', 'out-of-memory', 1],
  ['{"errorCode":-1,"errorMessage":"HandlerNotFound","statusCode":437}', 'entry-missing', 1],
  ['405 ContainerStateExited', 'exec-bit-missing', 3],
  ['446 PortBindingFailed', 'listen-wrong-port', 1],
  ['434 MemoryLimitReached', 'out-of-memory', 1],
  ['500 InternalError', 'platform-internal-error', 1],
];

test('every seed example pasted shows its documented cause', async () => {
  const { page, context, errors } = await open();
  let n = 0;
  for (const [text, cause, within] of SEEDS) {
    await paste(page, text);
    await page.waitForSelector('[data-cause-id]');
    const causes = await causeIds(page);
    assert.ok(causes.slice(0, within).includes(cause), `${text}\n→ ${causes.join(', ')} (expected ${cause} in top ${within})`);
    n += 1;
  }
  await paste(page, SEEDS[7][0]);
  await page.waitForSelector('[data-cause-id="entry-missing"]');
  const reading = await page.textContent('.code-reading');
  assert.match(reading, /not an error description/);
  const marked = await page.$$eval('.paste-text mark', (ms) => ms.map((m) => m.textContent));
  assert.ok(marked.some((m) => m.includes("Cannot find module '/code/not_exist_file.js'")), marked.join(' | '));
  await page.screenshot({ path: join(shots, '04-npm-seed-pasted.png'), fullPage: true });
  assert.equal(n, SEEDS.length);
  assert.deepEqual(errors, []);
  await context.close();
});

test('package and error together: the package confirms the cause', async () => {
  const { page, context } = await open();
  await pick(page, 'windows.zip');
  await page.waitForSelector('[data-finding-id="exec-bit-missing"]');
  const read = await page.$eval('[data-bytes-read]', (e) => Number(e.dataset.bytesRead));
  assert.equal(await page.$eval('[data-bytes-read]', (e) => e.dataset.inspectionReused), 'false');
  await paste(page, "Function instance exited unexpectedly(code 13, message:permission denied) with start command '/code/bootstrap '.");
  await page.waitForSelector('[data-cause-id]');
  // The paste is joined to the inspection the worker kept: the package is not read again, and the
  // page still says what reading it cost.
  assert.equal(await page.$eval('[data-bytes-read]', (e) => Number(e.dataset.bytesRead)), read);
  assert.equal(await page.$eval('[data-bytes-read]', (e) => e.dataset.inspectionReused), 'true');
  const first = await page.$eval('[data-cause-id]', (e) => ({ id: e.dataset.causeId, text: e.textContent }));
  assert.equal(first.id, 'exec-bit-missing');
  assert.match(first.text, /Confirmed by your package/);
  // One card for the cause: the package's finding is inside it, not a second card elsewhere.
  assert.equal(await page.$$eval('[data-finding-id="exec-bit-missing"]', (fs) => fs.filter((f) => f.closest('[data-cause-id="exec-bit-missing"]')).length), 1);
  assert.equal(await page.$$eval('[data-cause-id="exec-bit-missing"]', (cs) => cs.length), 1);
  // Its commands are commands: each copy button copies one, and is named after the cause.
  const copy = await page.$$eval('[data-cause-id="exec-bit-missing"] .commands button', (bs) => bs.map((b) => b.getAttribute('aria-label')));
  assert.ok(copy.length >= 1 && copy.every((l) => /command for exec-bit-missing/.test(l)), copy.join(' | '));
  // The verdict leads the report: the same cause, said as confirmed, with the repair as its action.
  const verdict = await page.$eval('[data-verdict]', (e) => ({
    id: e.dataset.verdict, text: e.textContent, first: e === document.querySelector('.report > *'),
    live: e.querySelector('[aria-live]') !== null,
  }));
  assert.equal(verdict.id, 'exec-bit-missing');
  assert.match(verdict.text, /the pasted error says so and your package shows it/);
  assert.ok(verdict.first, 'the verdict is the first thing in the report');
  assert.ok(verdict.live, 'the verdict is announced');
  assert.equal(await page.$$eval('.report [aria-live]', (els) => els.length), 1, 'only the verdict is a live region');
  const download = page.waitForEvent('download');
  await page.click('[data-verdict-action="repair"]');
  assert.match((await download).suggestedFilename(), /windows-repaired\.zip$/);
  await page.screenshot({ path: join(shots, '05-package-and-error.png'), fullPage: true });
  await context.close();
});

// Real packages from ../shared/corpus (third-party binaries), when the corpus is there.
const CORPUS = [process.env.BOOTDOCTOR_CORPUS, join(root, '..', 'shared', 'corpus'), '/work/shared/corpus']
  .filter(Boolean)
  .find((d) => existsSync(join(d, 'packages', 'expected.json')));

test('corpus: a Go binary built for macOS, with the error FC printed', { skip: CORPUS ? false : 'SKIPPED: ../shared/corpus not found' }, async () => {
  const { page, context, errors } = await open();
  await page.setInputFiles('input[type=file]', join(CORPUS, 'packages', 'p10-macho-go.zip'));
  await page.waitForSelector('[data-finding-id="binary-not-linux"]');
  await paste(page, "Function instance exited unexpectedly(code 8, message:exec format error) with start command '/code/bootstrap '.\nLogs:");
  await page.waitForSelector('[data-cause-id]');
  const first = await page.$eval('[data-cause-id]', (e) => ({ id: e.dataset.causeId, text: e.textContent }));
  assert.equal(first.id, 'binary-not-linux');
  assert.match(first.text, /Confirmed by your package/);
  // The finding sits inside its cause's card, which gives the finding's fix once.
  assert.ok(await page.$('[data-cause-id="binary-not-linux"] [data-finding-id="binary-not-linux"]'));
  assert.match(await page.textContent('[data-cause-id="binary-not-linux"] .fix'), /GOOS=linux GOARCH=amd64/);
  await page.screenshot({ path: join(shots, '08-corpus-macho-go.png'), fullPage: true });
  await page.setInputFiles('input[type=file]', join(CORPUS, 'packages', 'p16-relr.zip'));
  await page.selectOption('select[name=platform]', 'aws-lambda-al2023');
  await paste(page, "/var/task/bootstrap: /lib64/libc.so.6: version `GLIBC_ABI_DT_RELR' not found (required by /var/task/bootstrap)");
  await page.waitForSelector('[data-finding-id="glibc-too-new"]');
  assert.match(await page.textContent('[data-finding-id="glibc-too-new"]'), /GLIBC_ABI_DT_RELR/);
  await page.click('.platform-details summary');
  const facts = await page.textContent('.platform-details');
  assert.match(facts, /libstdc\+\+\s*GLIBCXX_3\.4\.29/);
  assert.match(facts, /derived: Amazon Linux 2023 ships GCC 11/);
  await page.screenshot({ path: join(shots, '09-corpus-relr.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test('cause pages: linked from findings, reachable by URL, unknown ids show the index', async () => {
  const { page, context, errors } = await open();
  await pick(page, 'windows.zip');
  await page.waitForSelector('[data-finding-id="exec-bit-missing"]');
  await page.click('[data-finding-id="exec-bit-missing"] a.id');
  await page.waitForSelector('[data-cause-page="exec-bit-missing"]');
  const text = await page.textContent('[data-cause-page="exec-bit-missing"]');
  assert.match(text, /chmod 755 bootstrap/);
  assert.match(text, /code 13, message:permission denied/);
  assert.match(text, /How to confirm it[\s\S]*zipinfo function\.zip bootstrap/);
  // Backticks in the knowledge texts are shown as code, never as raw backticks.
  assert.ok(await page.$$eval('.cause-page p code', (cs) => cs.some((c) => c.textContent === 'zipinfo function.zip bootstrap')));
  assert.ok(!(await page.textContent('.cause-page')).includes('`'));
  const toolchains = await page.$$eval('.toolchain-fixes dt', (ds) => ds.map((d) => d.textContent));
  assert.ok(toolchains.includes('Windows (no WSL)') && toolchains.includes('Dockerfile'), toolchains.join(', '));
  await page.screenshot({ path: join(shots, '10-cause-page.png'), fullPage: true });
  await page.goBack();
  await page.waitForSelector('[data-finding-id="exec-bit-missing"]');
  await page.goto(`${base}#/causes/no-such-cause`);
  await page.waitForSelector('[data-cause-page="index"]');
  assert.match(await page.textContent('[data-cause-page="index"]'), /No cause is called/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('real pastes: ambiguity explained, Chinese console text, nested envelopes, values read out', async () => {
  const { page, context, errors } = await open();
  // Cloud Run's port message has several plausible causes: each close one says how to tell.
  await paste(page, "ERROR: (gcloud.run.deploy) Revision 'hello-00001-abc' is not ready and cannot serve traffic. The user-provided container failed to start and listen on the port defined provided by the PORT=8080 environment variable within the allocated timeout.");
  await page.waitForSelector('[data-cause-id] .how-to-tell');
  const tells = await page.$$eval('[data-cause-id]', (hs) => hs.map((h) => [h.dataset.causeId, h.querySelector('.how-to-tell')?.textContent || '']));
  // The two most frequent causes are level; either may lead, and the CPU one says how to check it.
  const arch = tells.findIndex(([id]) => id === 'binary-wrong-arch');
  assert.ok(arch === 0 || arch === 1, JSON.stringify(tells));
  assert.match(tells[arch][1], /file bootstrap/);
  assert.ok(tells.filter(([, t]) => t).length >= 3, JSON.stringify(tells));
  // What the causes share (the message's meaning, the quoted line) is said once, above them.
  const shared = await page.$eval('[data-shared-reading]', (e) => e.textContent);
  assert.match(shared, /failed to start and listen on the port/);
  const repeats = await page.$$eval('[data-cause-id] .evidence mark', (ms) => ms.filter((m) => /failed to start and listen/.test(m.textContent)).length);
  assert.equal(repeats, 0, 'the shared line is not repeated in the cards');
  const ids = await causeIds(page);
  assert.equal(new Set(ids).size, ids.length, `one card per cause: ${ids}`);
  await page.screenshot({ path: join(shots, '11-ambiguous-cloud-run.png'), fullPage: true });
  // SCF's Chinese status description.
  await paste(page, '调用失败 446 PortBindingFailed 端口监听失败。请检查您的监听端口是否为9000');
  await page.waitForSelector('[data-cause-id="listen-wrong-port"]');
  assert.equal((await causeIds(page))[0], 'listen-wrong-port');
  assert.match(await page.textContent('.variables'), /tencent/);
  // Step Functions wrapping a Lambda error as a JSON string.
  await paste(page, '{"error": "Runtime.ExitError","cause": "{\\"errorMessage\\":\\"RequestId: 1 Error: Runtime exited with error: signal: killed\\",\\"errorType\\":\\"Runtime.ExitError\\"}"}');
  await page.waitForSelector('[data-cause-id="out-of-memory"]');
  assert.equal((await causeIds(page))[0], 'out-of-memory');
  // A value a pattern reads out is shown with the other variables.
  await paste(page, 'npm ERR! Missing script: "start"');
  await page.waitForSelector('[data-cause-id="entry-missing"]');
  assert.match(await page.textContent('.variables'), /script\s*start/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('share link: the address follows the diagnosis and opens the same report elsewhere', async () => {
  const { page, context, errors } = await open();
  await pick(page, 'windows.zip');
  await page.waitForSelector('[data-finding-id="exec-bit-missing"]');
  const error = "2024-05-12 RequestId: 1-6640a0c1-1f2e3d4c5b6a Function instance exited unexpectedly(code 13, message:permission denied) with start command '/code/bootstrap '.";
  await paste(page, error);
  await page.waitForSelector('[data-cause-id="exec-bit-missing"]');
  await page.waitForFunction(() => location.hash.startsWith('#/r/1.'));
  const historyLength = await page.evaluate(() => history.length);
  const withoutPaste = page.url();
  assert.ok(withoutPaste.length < 2000, `${withoutPaste.length} characters`);
  const wantFindings = await findingIds(page);
  const wantCauses = await causeIds(page);
  // Consent: the paste joins the link only when ticked, redacted.
  await page.check('input[name=share-paste]');
  await page.waitForFunction((before) => location.href !== before, withoutPaste);
  const withPaste = page.url();
  assert.match(await page.textContent('.share-paste'), /1 removed|[0-9]+ removed/);
  await page.click('.shared-paste summary');
  const preview = await page.textContent('[data-shared-paste]');
  assert.match(preview, /code 13, message:permission denied/);
  assert.ok(!preview.includes('6640a0c1'), preview);
  assert.equal(await page.evaluate(() => history.length), historyLength, 'replaceState, not pushState');
  await page.screenshot({ path: join(shots, '12-share-bar.png'), fullPage: true });

  // A fresh browser context, no file: the same report.
  const other = await open(undefined, withoutPaste);
  await other.page.waitForSelector('[data-shared]');
  assert.deepEqual(await findingIds(other.page), wantFindings);
  assert.deepEqual(await causeIds(other.page), wantCauses);
  assert.match(await other.page.textContent('[data-shared]'), /pasted error itself was not shared/);
  assert.match(await other.page.textContent('.summary'), /windows\.zip/);
  assert.match(await other.page.textContent('[data-finding-id="exec-bit-missing"]'), /external attributes 0x00000020/);
  await other.page.screenshot({ path: join(shots, '13-shared-link-opened.png'), fullPage: true });
  // The shared view stays until the recipient starts their own; Back returns to it.
  assert.ok(await other.page.$('[data-shared-hold]'));
  assert.equal(await other.page.$eval('section.inputs', (s) => s.inert), true, 'inputs are held');
  await other.page.click('[data-action="new-diagnosis"]');
  await other.page.waitForSelector('[data-shared]', { state: 'detached' });
  assert.equal(await other.page.$eval('section.inputs', (s) => s.inert), false);
  await paste(other.page, 'exec format error');
  await other.page.waitForSelector('[data-cause-id]');
  await other.page.goBack();
  await other.page.waitForSelector('[data-shared]');
  assert.deepEqual(await causeIds(other.page), wantCauses);
  await other.context.close();

  const third = await open(undefined, withPaste);
  await third.page.waitForSelector('[data-shared]');
  const shown = await third.page.textContent('.paste-text');
  assert.match(shown, /code 13, message:permission denied/);
  assert.ok(!shown.includes('6640a0c1'), shown);
  assert.deepEqual(await causeIds(third.page), wantCauses);
  assert.deepEqual(third.errors, []);
  await third.context.close();
  assert.deepEqual(errors, []);
  await context.close();
});

test('mangled links show a message and the normal page, never markup', async () => {
  const good = await open();
  await pick(good.page, 'windows.zip');
  await good.page.waitForFunction(() => location.hash.startsWith('#/r/1.'));
  const link = good.page.url();
  await good.context.close();
  const cases = [
    [link.slice(0, link.length - 40), /damaged or cut short|not in the expected form/],
    [`${base}#/r/1.<img src=x onerror="window.pwned=1">`, /not a Bootdoctor share link/],
    [`${base}#/r/7.AAAA`, /newer Bootdoctor/],
    [`${base}#/r/1.${'A'.repeat(40000)}`, /more than a Bootdoctor link can be/],
  ];
  for (const [url, message] of cases) {
    const { page, context, errors } = await open(undefined, url);
    await page.waitForSelector('[data-link-error]');
    assert.match(await page.textContent('[data-link-error]'), message);
    assert.ok(await page.$('.intro'), 'the normal page is there');
    assert.equal(await page.$('img'), null);
    assert.equal(await page.evaluate(() => window.pwned), undefined);
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('exports: Markdown to the clipboard, JSON and SARIF downloads', async () => {
  const { page, context } = await open(undefined, base, { permissions: ['clipboard-read', 'clipboard-write'] });
  await pick(page, 'windows.zip');
  await page.waitForSelector('[data-finding-id="exec-bit-missing"]');
  await page.click('button[aria-label="Copy as Markdown"]');
  await page.waitForSelector('button[aria-label="Copy as Markdown"]:has-text("Copied")');
  const md = await page.evaluate(() => navigator.clipboard.readText());
  assert.match(md, /^## Bootdoctor: `windows\.zip` on /);
  assert.match(md, /\(`exec-bit-missing`\)/);
  assert.ok(md.includes('[Open this diagnosis in Bootdoctor](' + base + '#/r/1.'), md.slice(-300));
  const [json] = await Promise.all([page.waitForEvent('download'), page.click('text=Download JSON')]);
  assert.equal(json.suggestedFilename(), 'windows.bootdoctor.json');
  const report = JSON.parse(readFileSync(await json.path(), 'utf8'));
  assert.ok(report.findings.some((f) => f.id === 'exec-bit-missing'));
  const [sarif] = await Promise.all([page.waitForEvent('download'), page.click('text=Download SARIF')]);
  const log = JSON.parse(readFileSync(await sarif.path(), 'utf8'));
  assert.equal(log.version, '2.1.0');
  assert.ok(log.runs[0].results.some((r) => r.ruleId === 'exec-bit-missing' && r.level === 'error'));
  await context.close();
});

test('repair: the download is re-read and is clean of what was repaired', async () => {
  const { page, context, errors } = await open();
  await pick(page, 'messy.zip');
  await page.waitForSelector('[data-finding-id="entry-nested"]');
  const before = await findingIds(page);
  for (const id of ['macos-metadata', 'exec-bit-missing', 'crlf-shebang']) {
    assert.ok(before.includes(id), `${id} not reported before the repair: ${before}`);
  }
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-action=repair]')]);
  assert.match(download.suggestedFilename(), /-repaired\.zip$/);
  const saved = join(fixtures, download.suggestedFilename());
  await download.saveAs(saved);
  await page.waitForSelector('[data-repair]');
  const summary = await page.textContent('[data-repair]');
  assert.match(summary, /moved out of the wrapper folder myfunc\//);
  assert.match(summary, /bootstrap: 2 lines from CRLF to LF/);
  assert.match(summary, /macOS metadata left out/);
  assert.match(summary, /Before: 3 errors/);
  assert.match(summary, /after: 0 errors/);
  await page.screenshot({ path: join(shots, '14-repaired.png'), fullPage: true });
  await page.setInputFiles('input[type=file]', saved);
  await page.waitForFunction(() => !document.querySelector('[data-finding-id="entry-nested"]'));
  const after = await findingIds(page);
  for (const gone of ['entry-nested', 'exec-bit-missing', 'crlf-shebang', 'macos-metadata']) {
    assert.ok(!after.includes(gone), `${gone} still reported: ${after}`);
  }
  if (existsSync('/usr/bin/zipinfo')) {
    const listing = execFileSync('zipinfo', [saved]).toString();
    assert.match(listing, /-rwx.* unx .* bootstrap/);
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test('unmatched text says so instead of guessing', async () => {
  const { page, context } = await open();
  await paste(page, 'my function is sad today');
  await page.waitForSelector('.decode-summary');
  assert.match(await page.textContent('.decode-summary'), /Nothing in this text matches/);
  assert.deepEqual(await causeIds(page), []);
  await context.close();
});

test('a failure no rule reads gets leads labelled as resemblance; a long log is read for its error lines', async () => {
  const { page, context, errors } = await open();
  await paste(page, 'the worker process returned exit code 42 and stopped');
  await page.waitForSelector('[data-cause-id] [data-basis="resemblance"]');
  assert.match(await page.textContent('.decode-summary'), /No rule reads this error with confidence/);
  assert.match(await page.textContent('.decode-summary'), /exit code 42/);
  // 400 KiB of ordinary log lines with one FC line buried in the middle (the FC error guide's wording).
  const noise = '2024-05-12T10:21:33.120Z 1-6640a0c1 INFO request handled in 12 ms path=/api/items status=200\n';
  const half = noise.repeat(2100);
  // Set as one paste would (playwright's fill is slow on 400 KiB): the value, then one input event.
  await page.evaluate((v) => {
    const box = document.querySelector('textarea[name=error]');
    box.value = v;
    box.dispatchEvent(new Event('input', { bubbles: true }));
  }, half + "Function instance exited unexpectedly(code 13, message:permission denied) with start command '/code/bootstrap '.\n" + half);
  await page.waitForSelector('[data-lines-read]');
  await page.waitForSelector('[data-cause-id="exec-bit-missing"]');
  assert.equal((await causeIds(page))[0], 'exec-bit-missing');
  await page.screenshot({ path: join(shots, '20-long-log-focused.png') });
  assert.deepEqual(errors, []);
  await context.close();
});

test('hostile input: not a zip, truncated, markup in names — messages, never markup or a crash', async () => {
  const { page, context, errors } = await open();
  await pick(page, 'not-a-zip.zip');
  await page.waitForSelector('[data-package-error]');
  assert.match(await page.textContent('[data-package-error]'), /not a zip/);
  // Said beside the file picker, once; nothing to export from a package that could not be read.
  assert.ok(await page.$('.dropzone [data-package-error]'));
  assert.equal(await page.$$eval('[data-package-error]', (es) => es.length), 1);
  assert.equal(await page.$('.share-bar'), null);
  await pick(page, 'truncated.zip');
  await page.waitForFunction(() => /damaged|not a zip/.test(document.querySelector('[data-package-error]')?.textContent || ''));
  await pick(page, 'hostile.zip');
  await page.waitForSelector('[data-finding-id="shebang-missing"]');
  const pwned = await page.evaluate(() => window.__pwned);
  assert.equal(pwned, undefined, 'a file name was rendered as markup');
  assert.equal(await page.$('img[src=x]'), null);
  const names = await page.$$eval('tr[data-path]', (rows) => rows.map((r) => r.dataset.path));
  assert.ok(names.some((n) => n.includes('<img')), 'the hostile name is shown as text');
  await paste(page, '<script>window.__pwned=2</script>'.repeat(2000));
  await page.waitForSelector('.decode-summary');
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.deepEqual(errors, []);
  await context.close();
});

test('no request leaves the page origin, and the page works on a phone', async () => {
  const { page, context, requests } = await open({ width: 390, height: 844 });
  await pick(page, 'windows.zip');
  await paste(page, "Function instance exited unexpectedly(code 13, message:permission denied) with start command '/code/bootstrap '.");
  await page.waitForSelector('[data-cause-id="exec-bit-missing"]');
  // On a phone the report starts below the whole form: the page brings the verdict into view.
  await page.waitForFunction(() => {
    const r = document.querySelector('[data-verdict]')?.getBoundingClientRect();
    return r && r.top >= 0 && r.top < window.innerHeight / 2;
  });
  await page.screenshot({ path: join(shots, '06-phone-verdict.png') });
  const foreign = requests.filter((u) => !u.startsWith(base) && !u.startsWith('data:') && !u.startsWith('blob:'));
  assert.deepEqual(foreign, []);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `page is ${overflow}px wider than a phone screen`);
  await page.screenshot({ path: join(shots, '06-phone.png'), fullPage: true });
  await context.close();
});

test('keyboard: the file picker, platform, start command and error box are reachable with Tab', async () => {
  const { page, context } = await open();
  const reached = [];
  for (let i = 0; i < 12; i += 1) {
    await page.keyboard.press('Tab');
    reached.push(await page.evaluate(() => document.activeElement?.getAttribute('name') || document.activeElement?.tagName));
  }
  for (const name of ['package', 'platform', 'start', 'error']) {
    assert.ok(reached.includes(name), `Tab never reached ${name}: ${reached.join(', ')}`);
  }
  // The first Tab stop skips to the diagnosis, without touching the address (routes live there).
  await page.reload();
  await page.waitForSelector('select[name=platform] option[value="aliyun-fc"]', { state: 'attached' });
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.className), 'skip-link');
  const before = page.url();
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'results');
  assert.equal(page.url(), before);
  await context.close();
});

test('dark mode follows the system, and the toggle is remembered', async () => {
  const luminance = (page) => page.evaluate(() => {
    const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\d+/g).map(Number);
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
  });
  const dark = await open(undefined, undefined, { colorScheme: 'dark' });
  assert.ok(await luminance(dark.page) < 0.2, 'a dark system gets a dark page');
  await pick(dark.page, 'windows.zip');
  await paste(dark.page, "Function instance exited unexpectedly(code 13, message:permission denied) with start command '/code/bootstrap '.");
  await dark.page.waitForSelector('[data-verdict]');
  await dark.page.screenshot({ path: join(shots, '22-dark.png'), fullPage: true });
  await dark.context.close();
  const { page, context, errors } = await open(undefined, undefined, { colorScheme: 'light' });
  assert.ok(await luminance(page) > 0.8, 'a light system gets a light page');
  await page.click('[data-theme-toggle]');
  await page.waitForSelector('html[data-theme="dark"]');
  assert.ok(await luminance(page) < 0.2, 'the toggle chose dark');
  await page.reload();
  await page.waitForSelector('html[data-theme="dark"]');
  assert.equal(await page.$eval('[data-theme-toggle]', (b) => b.dataset.themeToggle), 'dark', 'remembered across a reload');
  assert.deepEqual(errors, []);
  await context.close();
});

test('offline: after a first visit the page reloads and diagnoses with no network', async () => {
  const { page, context, errors } = await open();
  // The service worker keeps the page's files once it is active and controls the page.
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 15000 });
  await context.setOffline(true);
  await page.reload();
  await page.waitForSelector('select[name=platform] option[value="aliyun-fc"]', { state: 'attached' });
  await pick(page, 'windows.zip');
  await page.waitForSelector('[data-finding-id="exec-bit-missing"]');
  await paste(page, "Function instance exited unexpectedly(code 13, message:permission denied) with start command '/code/bootstrap '.");
  assert.equal((await causeIds(page))[0], 'exec-bit-missing');
  await context.setOffline(false);
  assert.deepEqual(errors.filter((e) => !/ERR_INTERNET_DISCONNECTED/.test(e)), []);
  await context.close();
});

test('a sample package, built in the page, shows what a Windows-made zip gets wrong', async () => {
  const { page, context, errors, requests } = await open();
  await page.click('[data-action="sample"]');
  await page.waitForSelector('[data-finding-id="exec-bit-missing"]');
  const ids = await findingIds(page);
  for (const id of ['exec-bit-missing', 'crlf-shebang', 'listen-localhost']) assert.ok(ids.includes(id), ids.join(', '));
  assert.match(await page.textContent('.dropzone'), /sample-made-on-windows\.zip/);
  assert.deepEqual(requests.filter((u) => !u.startsWith(base) && !u.startsWith('blob:')), [], 'nothing comes from elsewhere');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a long report is drawn a slice at a time and ends whole: ten cards of a kind, a hundred rows, then more', async () => {
  const { page, context, errors } = await open();
  await pick(page, 'many.zip');
  // The group's overflow line comes with its tenth card, once every slice is drawn.
  await page.waitForSelector('[data-more-findings="crlf-shebang"]');
  assert.equal(await page.$$eval('.findings [data-finding-id="crlf-shebang"]', (es) => es.length), 10);
  assert.match(await page.textContent('[data-more-findings="crlf-shebang"]'), /20 more findings/);
  await page.waitForFunction(() => document.querySelectorAll('tr[data-path]').length === 100
    && document.querySelector('.table-wrap')?.getAttribute('aria-busy') === 'false');
  // Rows with findings first: the 30 scripts, before any plain file.
  const paths = await page.$$eval('tr[data-path]', (rows) => rows.map((r) => r.dataset.path));
  assert.ok(paths.slice(0, 30).every((p) => p.startsWith('bin/')), paths.slice(0, 31).join());
  assert.equal(new Set(paths).size, 100, 'no row drawn twice');
  await page.click('[data-action=more-files]');
  await page.waitForFunction(() => document.querySelectorAll('tr[data-path]').length === 200
    && document.querySelector('.table-wrap')?.getAttribute('aria-busy') === 'false');
  // An edit of the paste rebuilds the report for the same files: the rows stay (no redraw from the first slice).
  await paste(page, 'exited unexpectedly(code 2)');
  await page.waitForSelector('.decode-summary');
  assert.equal(await page.$$eval('tr[data-path]', (rows) => rows.length), 200);
  assert.deepEqual(errors, []);
  await context.close();
});
