// Day 30 in the browser from model files: imports each into a fresh profile,
// opens the report lab on them (the first as its first model), runs it, and
// prints its metrics as one JSON line; with OUT_DIR, also saves a screenshot
// of the page and both exports there. The browser's side of `reasonlab run
// report --load A --with B …`. After `trunk build`:
//   OUT_DIR=/tmp/report node scripts/report-page.mjs cot.safetensors grpo.safetensors … [--n 50]
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { headless, load, readMetrics, verdict } from './headless.mjs';

const args = process.argv.slice(2);
const at = args.indexOf('--n');
const n = at >= 0 ? args.splice(at, 2)[1] : '50';
if (args.length === 0 || !args.every((f) => fs.existsSync(f))) {
  console.error('usage: node scripts/report-page.mjs MODEL.safetensors... [--n N]');
  process.exit(2);
}
// Links name a model by the first 16 hex digits of its file's SHA-256.
const hashes = args.map((f) => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex').slice(0, 16));
const out = process.env.OUT_DIR;
const { browser, base, close } = await headless(8771);
const result = { files: args, hashes, n };
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(base + '#lab=report&backend=cpu');
  await page.waitForSelector('main#lab');
  for (const file of args) {
    await page.setInputFiles('[data-model-import]', file);
    await page.waitForFunction((name) => document.querySelector('[data-model-status]').textContent.startsWith('Imported') && document.querySelector('[data-model-status]').textContent.includes(name), path.basename(file), { timeout: 60_000 }).catch(() => {});
  }
  result.load_before = load();
  const started = Date.now();
  await page.goto(`${base}#lab=report&model=${hashes[0]}&models=${hashes.slice(1).join(',')}&n=${n}&backend=cpu&run=1`);
  result.status = await verdict(page, 600);
  result.wall_seconds = (Date.now() - started) / 1000;
  result.load_after = load();
  await readMetrics(page, result);
  result.findings = await page.$$eval('figure:has([data-chart="findings"]) tbody tr', (rows) => rows.map((r) => r.textContent));
  if (out) {
    fs.mkdirSync(out, { recursive: true });
    await page.screenshot({ path: path.join(out, 'report-page.png'), fullPage: true });
    for (const action of ['export', 'export-md']) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(`[data-action="${action}"]`)]);
      await download.saveAs(path.join(out, download.suggestedFilename()));
    }
  }
} finally {
  console.log(JSON.stringify(result));
  await close();
}
