// Runs any lab's share link in headless Chromium until it is done (or fails, or
// the time runs out) and prints every data-metric as one JSON line. After `trunk build`:
//   node scripts/run-lab-page.mjs '#lab=mnist&backend=cpu&run=1' [timeout_seconds]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { startServer } from './static-server.mjs';

const require = createRequire(path.resolve('package.json'));
const { chromium } = require('playwright-core');
const [hash = '#lab=perceptron&run=1', timeout = '600'] = process.argv.slice(2);
const load = () => Number(fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
const server = await startServer('dist', 8768);
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'reasonlab-run-'));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium', headless: true,
  args: ['--headless', '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--enable-unsafe-webgpu'],
});
const page = await browser.newPage();
const result = { hash, load_before: load() };
const started = Date.now();
await page.goto(`http://127.0.0.1:8768/${hash}`);
result.status = await page
  .waitForSelector('main[data-status="done"], main[data-status="error"]', { timeout: Number(timeout) * 1000 })
  .then((el) => el.getAttribute('data-status'))
  .catch(() => 'timeout');
result.wall_seconds = (Date.now() - started) / 1000;
result.load_after = load();
result.backend = await page.getAttribute('[data-backend]', 'data-backend');
for (const cell of await page.$$('[data-metric]')) {
  result[await cell.getAttribute('data-metric')] = Number(await cell.textContent());
}
result.notices = await page.textContent('.notices');
console.log(JSON.stringify(result));
await browser.close();
server.close();
fs.rmSync(profile, { recursive: true, force: true });
