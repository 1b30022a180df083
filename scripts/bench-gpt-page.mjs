// Runs the GPT benchmark page (#lab=bench) in headless Chromium and prints its
// figures as JSON lines. Usage, after `trunk build`:
//   node scripts/bench-gpt-page.mjs <s|m> <cpu|webgpu> [budget_seconds] [threads|single]
// `single` serves the site without cross-origin isolation, so the CPU path runs
// on the worker without threads, as on a host that cannot send COOP/COEP.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { startServer } from './static-server.mjs';

const require = createRequire(path.resolve('package.json'));
const { chromium } = require('playwright-core');
const [size = 's', backend = 'cpu', budget = '120', threads = 'threads'] = process.argv.slice(2);
const load = () => Number(fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
const server = await startServer('dist', 8767, { isolated: threads !== 'single' });
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'reasonlab-bench-'));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium', headless: true,
  args: ['--headless', '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--enable-unsafe-webgpu'],
});
const page = await browser.newPage();
const loadBefore = load();
await page.goto(`http://127.0.0.1:8767/#lab=bench&size=${size}&budget=${budget}&backend=${backend}&run=1`);
await page.waitForSelector('main[data-status="done"], main[data-status="error"]', { timeout: 3_600_000 });
const result = { size, backend: await page.getAttribute('[data-backend]', 'data-backend'), load_before: loadBefore, load_after: load() };
for (const name of ['step_ms', 'first_step_ms', 'tokens_per_sec', 'gflops', 'params', 'step']) {
  result[name] = Number(await page.textContent(`[data-metric="${name}"]`).catch(() => 'NaN'));
}
result.plan = await page.textContent('p.note');
result.reason = (await page.textContent('.why').catch(() => '')).replace(/^ — /, '');
result.isolated = await page.evaluate(() => self.crossOriginIsolated);
console.log(JSON.stringify(result));
await browser.close();
server.close();
fs.rmSync(profile, { recursive: true, force: true });
