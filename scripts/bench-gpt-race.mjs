// The `gpt` lab's race against nanoGPT, in headless Chromium on the CPU worker
// (with threads: the page is served cross-origin isolated). Prints one JSON
// line: the loss over the whole held-out text, the training wall time (first
// step to last) and the load. Usage, after `trunk build`:
//   node scripts/bench-gpt-race.mjs ['extra=settings&…']
// The race preset on a text it never saw (its values, as the page's first preset sets them):
//   node scripts/bench-gpt-race.mjs 'corpus=histories&layers=2&width=64&context=64&batch=16&positions=learned&optimizer=muon&lr=0.015&warmup=100&steps=1300&eval_every=250'
// The natively measured counterpart: `reasonlab run gpt --preset 1 --corpus C --json` (its last line).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { startServer } from './static-server.mjs';

const require = createRequire(path.resolve('package.json'));
const { chromium } = require('playwright-core');
const extra = process.argv[2] ? `&${process.argv[2]}` : '';
const load = () => Number(fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
const server = await startServer('dist', 8768, { isolated: true });
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'reasonlab-race-'));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium', headless: true,
  args: ['--headless', '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage();
const loadBefore = load();
await page.goto(`http://127.0.0.1:8768/#lab=gpt${extra}&backend=cpu&run=1`);
await page.waitForSelector('main[data-status="done"], main[data-status="error"]', { timeout: 3_600_000 });
const result = { lab: 'gpt', link: page.url().split('#')[1], backend: await page.textContent('.why'), load_before: loadBefore, load_after: load() };
for (const name of ['val_loss_full', 'train_seconds', 'tokens_per_sec', 'sample_tokens_per_sec', 'params', 'step']) {
  result[name] = Number(await page.textContent(`[data-metric="${name}"]`).catch(() => 'NaN'));
}
result.race = await page.textContent('figure:has([data-chart="race"]) figcaption');
result.isolated = await page.evaluate(() => self.crossOriginIsolated);
console.log(JSON.stringify(result));
await browser.close();
server.close();
fs.rmSync(profile, { recursive: true, force: true });
