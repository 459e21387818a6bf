// Accessibility: axe-core (npm `axe-core`) run in the page in every state a person sees — empty,
// a diagnosis, a repaired package, a package that is not a zip, a cause page, a shared link — at a
// desktop and a phone width, in light and dark. Any violation fails, with its rule and element.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { base, here, open, paste, pick, shots } from './harness.mjs';

const AXE = readFileSync(join(here, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const CODE_13 = "Function instance exited unexpectedly(code 13, message:permission denied) with start command '/code/bootstrap '.";

/** axe's violations on the page as it is now, one line each. */
async function violations(page) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE });
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
}

/** The states to check, each made from a fresh page. */
const STATES = {
  empty: async () => {},
  diagnosis: async (page) => {
    await pick(page, 'windows.zip');
    await paste(page, CODE_13);
    await page.waitForSelector('[data-verdict]');
  },
  repaired: async (page) => {
    await pick(page, 'windows.zip');
    await paste(page, CODE_13);
    await page.click('[data-verdict-action="repair"]');
    await page.waitForSelector('[data-repair]');
  },
  'not a zip': async (page) => {
    await pick(page, 'not-a-zip.zip');
    await page.waitForSelector('[data-package-error]');
  },
  'cause page': async (page) => {
    await page.goto(`${base}#/causes/exec-bit-missing`);
    await page.waitForSelector('[data-cause-page="exec-bit-missing"]');
  },
};

for (const scheme of ['light', 'dark']) {
  for (const [width, height] of [[1280, 900], [390, 844]]) {
    test(`axe: no violations, ${scheme}, ${width} px`, async () => {
      const found = [];
      let link;
      for (const [name, make] of Object.entries(STATES)) {
        const { page, context } = await open({ width, height }, base, { colorScheme: scheme, bypassCSP: true, acceptDownloads: true });
        await make(page);
        for (const v of await violations(page)) found.push(`${name}: ${v}`);
        if (name === 'diagnosis') link = page.url();
        if (width === 390 && scheme === 'dark') await page.screenshot({ path: join(shots, `a11y-${name.replace(/ /g, '-')}-dark-390.png`), fullPage: true });
        await context.close();
      }
      const shared = await open({ width, height }, link, { colorScheme: scheme, bypassCSP: true });
      await shared.page.waitForSelector('[data-shared]');
      for (const v of await violations(shared.page)) found.push(`shared: ${v}`);
      await shared.context.close();
      assert.deepEqual(found, []);
    });
  }
}
