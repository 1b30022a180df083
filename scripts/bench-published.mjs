// The published copy on a host that sends no COOP/COEP (BENCHMARKS.md):
// GPT-M's step on the CPU without the service worker (not cross-origin
// isolated: the single-thread worker) and with it (isolated after its reload:
// threads), in one sitting, and the size of the offline cache after a visit
// and after "Keep every lab's data offline". Run it on a built site:
// `node scripts/bench-published.mjs [budget seconds, default 20]`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { startServer } from './static-server.mjs';
import { load } from './headless.mjs';

const require = createRequire(path.resolve('package.json'));
const { chromium } = require('playwright-core');
const budget = Number(process.argv[2] ?? 20);
const port = 8791;
const server = await startServer('dist', port, { isolated: false, csp: false, prefix: '/course/' });
const link = `http://127.0.0.1:${port}/course/#lab=bench&size=m&budget=${budget}&backend=cpu&run=1`;

/** One run of the link in a fresh profile; `serviceWorkers: 'block'` is a host without the worker. */
async function run(serviceWorkers) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'reasonlab-published-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', headless: true, serviceWorkers,
    args: ['--headless', '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(link);
    await page.waitForSelector('main[data-status="done"]', { timeout: 600_000 });
    const stepMs = Number(await page.textContent('[data-metric="step_ms"]'));
    const why = (await page.textContent('header .why')).trim();
    const isolated = await page.evaluate(() => self.crossOriginIsolated);
    const usage = async () => (await page.evaluate(() => navigator.storage.estimate())).usage;
    let cache = '';
    if (serviceWorkers === 'allow') {
      const visit = await usage();
      await page.click('[data-action="offline-all"]');
      await page.waitForFunction(() => /^30 labs work offline/.test(document.querySelector('.offline-status').textContent), null, { timeout: 300_000 });
      cache = `; storage used after the visit ${(visit / 1e6).toFixed(1)} MB, after keeping every lab's data ${((await usage()) / 1e6).toFixed(1)} MB`;
    }
    console.log(`service worker ${serviceWorkers}: GPT-M ${stepMs} ms a step, crossOriginIsolated ${isolated} (${why})${cache}; load ${load()}`);
    return stepMs;
  } finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

const single = await run('block');
const threaded = await run('allow');
console.log(`ratio: ${(single / threaded).toFixed(2)}× faster with the service worker`);
server.close();
