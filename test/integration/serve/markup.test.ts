/**
 * Everything drawn into a page from data is text, never markup (issue: hostile input): generated markup-bearing values
 * in every string a page shows, in a real browser. The dashboard gets them in ticks and in BrandPulse's view (brands
 * and notes come from InfluxDB); a saved storm report (a JSON file anyone may have edited) gets them in every string
 * field and is rendered with `datastorm report FILE --html`. Nothing executes, nothing errors, and the values are
 * shown as written. A fixed seed here; more with make fuzz.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { type Browser, chromium, type Page } from 'playwright-core';
import { startDashboard } from '../../../src/serve/dashboard-server.js';
import { fuzzSettings, reportFuzz } from '../../helpers/fuzz.js';
import { run } from '../../helpers/services.js';
import { CLI, stormJson } from '../../helpers/storm-cli.js';

/** Payloads that run script when read as markup; each sets window.__pwned. */
const markup = fc.oneof(
  fc.constantFrom(
    '<img src=x onerror="window.__pwned=1">',
    '</script><script>window.__pwned=1</script>',
    '"><svg onload="window.__pwned=1">',
    '\'><iframe srcdoc="<script>parent.__pwned=1</script>">',
    '<style>@import "x"</style><b onmouseover=window.__pwned=1>b</b>',
  ),
  fc.tuple(fc.string({ maxLength: 8 }), fc.constant('<img src=x onerror=window.__pwned=1>')).map(([a, b]) => a + b),
);

async function openPage(browser: Browser): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => {
    errors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  // Nothing leaves the machine: an injected image or import would be a request elsewhere.
  await page.route('**/*', (r) =>
    /^(file:|http:\/\/127\.0\.0\.1)/.test(r.request().url()) ? r.continue() : r.abort(),
  );
  return { page, errors };
}

test('the dashboard draws markup from ticks and BrandPulse as text', async () => {
  const { seed, runs } = fuzzSettings(15);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(markup, { minLength: 3, maxLength: 3 }), async ([brand, note, kind]) => {
        const d = await startDashboard({ port: 0, host: '127.0.0.1', title: `run ${brand}` });
        const { page, errors } = await openPage(browser);
        try {
          await page.goto(d.url);
          d.publish('brandpulse', {
            perSecond: [[Math.floor(Date.now() / 1000), 1, 2, 3]],
            byBrand: { [brand]: { positive: 1, negative: 2, neutral: 3 } },
            lagByPartition: { [kind]: 5 },
            notes: [note],
            newestSecondAgoSec: 1,
          });
          await page.waitForFunction(() => document.querySelectorAll('#bp-brands td').length > 0);
          assert.equal(await page.evaluate('window.__pwned'), undefined, 'nothing executed');
          assert.equal(await page.textContent('#bp-brands td'), brand, 'the brand as written');
          assert.equal(await page.textContent('#bp-note'), note);
          // document.title strips and collapses ASCII whitespace (HTML's rule), the one change a title may see.
          assert.equal(await page.title(), `run ${brand}`.replace(/[\t\n\f\r ]+/g, ' ').trim());
          assert.deepEqual(errors, []);
        } finally {
          await page.close();
          await d.close();
        }
      }),
      { seed, numRuns: runs },
    );
  } finally {
    await browser.close();
  }
  reportFuzz('markup drawn on the dashboard', runs, 'nothing executed');
});

/** Every string in a JSON value replaced by `f(string)`, keys too where they are data (maps). */
function poison(value: unknown, f: () => string): unknown {
  if (typeof value === 'string') return f();
  if (Array.isArray(value)) return value.map((v) => poison(v, f));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, poison(v, f)]));
  return value;
}

test('a saved report with markup in every string renders as text in the HTML report', async () => {
  const { report } = await stormJson(['--topic', `markup-${process.pid}`, '--count', '2000']);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'datastorm-markup-'));
  const { seed, runs } = fuzzSettings(6);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(markup, { minLength: 8, maxLength: 8 }), async (payloads) => {
        let i = 0;
        const edited = poison(report, () => payloads[i++ % payloads.length]) as Record<string, unknown>;
        // The fields report FILE checks to know it is a storm report keep their types.
        Object.assign(edited, { runId: payloads[0], timeline: report.timeline, startedAt: report.startedAt });
        const file = path.join(dir, 'edited.json');
        const html = path.join(dir, 'edited.html');
        fs.writeFileSync(file, JSON.stringify(edited));
        const r = await run(process.execPath, [CLI, 'report', file, '--html', html]);
        assert.equal(r.code, 0, r.stderr);
        const { page, errors } = await openPage(browser);
        try {
          await page.goto(`file://${html}`);
          await page.waitForSelector('#timeline canvas');
          assert.equal(await page.evaluate('window.__pwned'), undefined, 'nothing executed');
          assert.ok((await page.textContent('body'))?.includes(payloads[0]), 'the run id shown as written');
          assert.deepEqual(errors, []);
        } finally {
          await page.close();
        }
      }),
      { seed, numRuns: runs },
    );
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  reportFuzz('markup in a saved report rendered as HTML', runs, 'nothing executed');
});
