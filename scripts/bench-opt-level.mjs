// GPT-M's step on the single-thread CPU worker of dist/ and of another build
// of the site, alternately, each in a fresh Chromium profile with service
// workers blocked (so neither page is isolated and both start worker_cpu).
// scripts/bench-opt-level.sh runs it: `node scripts/bench-opt-level.mjs SITE [rounds]`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { startServer } from './static-server.mjs';
import { load } from './headless.mjs';

const require = createRequire(path.resolve('package.json'));
const { chromium } = require('playwright-core');
const [other, rounds = '3'] = process.argv.slice(2);
const sites = [['dist', 'dist', 8792], ['other', other, 8793]];
const servers = await Promise.all(sites.map(([, dir, port]) => startServer(dir, port, { isolated: false, csp: false })));
const steps = { dist: [], other: [] };
for (let r = 0; r < Number(rounds); r++) {
  for (const [name, , port] of sites) {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'reasonlab-opt-'));
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium', headless: true, serviceWorkers: 'block', args: ['--headless', '--no-sandbox'],
    });
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/#lab=bench&size=m&budget=15&backend=cpu&run=1`);
    await page.waitForSelector('main[data-status="done"]', { timeout: 600_000 });
    const ms = Number(await page.textContent('[data-metric="step_ms"]'));
    steps[name].push(ms);
    console.log(JSON.stringify({ site: name, gpt_m_step_ms: ms, load: load(), isolated: await page.evaluate(() => self.crossOriginIsolated) }));
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}
const mean = (a) => a.reduce((s, x) => s + x, 0) / a.length;
console.log(JSON.stringify({ dist_mean_ms: mean(steps.dist), other_mean_ms: mean(steps.other), ratio: mean(steps.other) / mean(steps.dist) }));
for (const s of servers) s.close();
