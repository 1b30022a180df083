// What the page scripts share: the built site served from dist/, and Debian's
// Chromium, headless, in a fresh profile (`close()` undoes both); waiting for a
// lab's verdict, and reading its data-metric cells.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { startServer } from './static-server.mjs';

const require = createRequire(path.resolve('package.json'));
const { chromium } = require('playwright-core');

export const load = () => Number(fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

export async function headless(port) {
  const server = await startServer('dist', port);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'reasonlab-run-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--headless', '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--enable-unsafe-webgpu'],
  });
  const close = async () => {
    await browser.close();
    server.close();
    fs.rmSync(profile, { recursive: true, force: true });
  };
  return { browser, base: `http://127.0.0.1:${port}/`, close };
}

/** Waits for the lab to be done or failed: its status, or 'timeout'. */
export function verdict(page, seconds) {
  return page
    .waitForSelector('main[data-status="done"], main[data-status="error"]', { timeout: Number(seconds) * 1000 })
    .then((el) => el.getAttribute('data-status'))
    .catch(() => 'timeout');
}

/** Every data-metric on the page, into `result`. */
export async function readMetrics(page, result) {
  for (const cell of await page.$$('[data-metric]')) {
    result[await cell.getAttribute('data-metric')] = Number(await cell.textContent());
  }
  result.notices = await page.textContent('.notices');
}
