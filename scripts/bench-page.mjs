// Prints the page's figures for BENCHMARKS.md: weight, time to interactive, and
// Day 1 steps per second on each backend in headless Chromium. Run it on a built
// site: `node scripts/bench-page.mjs` (after `trunk build`).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { headless } from './headless.mjs';

const load = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0];

// Weight: every .js and .wasm under dist/, raw and gzip -9.
let raw = 0, gz = 0;
const rows = [];
for (const f of fs.readdirSync('dist')) {
  if (!/\.(js|wasm)$/.test(f)) continue;
  const body = fs.readFileSync(path.join('dist', f));
  const z = zlib.gzipSync(body, { level: 9 }).length;
  raw += body.length; gz += z;
  rows.push(`| ${f.replace(/-[0-9a-f]{16}/, '')} | ${(body.length / 1e6).toFixed(2)} MB | ${(z / 1e6).toFixed(2)} MB |`);
}
console.log('| file | raw | gzip -9 |\n|---|---|---|\n' + rows.sort().join('\n'));
console.log(`| **total** | ${(raw / 1e6).toFixed(2)} MB | **${(gz / 1e6).toFixed(2)} MB** |\n`);

const { browser, base: BASE, close } = await headless(8766);

// What a visit downloads: the .js and .wasm files the page fetched until step 0
// was drawn, at their gzip -9 size. A tiny lab on `auto` or `cpu` gets the
// CPU-only worker; `webgpu` (or `auto` on a large model) the one with WebGPU.
const gzOf = Object.fromEntries(fs.readdirSync('dist').filter((f) => /\.(js|wasm)$/.test(f))
  .map((f) => [f, zlib.gzipSync(fs.readFileSync(path.join('dist', f)), { level: 9 }).length]));
for (const hash of ['#lab=perceptron', '#lab=rnn&backend=cpu', '#lab=perceptron&backend=webgpu', '#lab=bench&backend=auto']) {
  const page = await browser.newPage();
  const fetched = new Set();
  page.on('request', (r) => { const f = new URL(r.url()).pathname.slice(1); if (f in gzOf) fetched.add(f); });
  await page.goto(BASE + hash);
  await page.waitForFunction(() => document.querySelector('[data-metric="step"]')?.textContent === '0', null, { timeout: 600_000 });
  const total = [...fetched].reduce((a, f) => a + gzOf[f], 0);
  const worker = await page.getAttribute('main', 'data-worker');
  console.log(`first visit to ${hash}: ${(total / 1e6).toFixed(2)} MB gzipped (${worker} worker; ${[...fetched].map((f) => f.replace(/-[0-9a-f]{16}/, '')).sort().join(', ')})`);
  await page.close();
}

// Time to interactive: navigation start → lab view built, worker loaded, step 0 drawn.
const ttis = [];
for (let i = 0; i < 5; i++) {
  const page = await browser.newPage();
  await page.goto(BASE + '#lab=perceptron&backend=cpu');
  await page.waitForFunction(() => document.querySelector('[data-metric="step"]')?.textContent === '0');
  ttis.push(await page.evaluate(() => performance.now()));
  await page.close();
}
ttis.sort((a, b) => a - b);
console.log(`time to interactive (median of 5, ms): ${ttis[2].toFixed(0)}  [all: ${ttis.map((t) => t.toFixed(0)).join(', ')}]  load ${load()}`);

// Steps per second: the worker's own figure once the run is done.
for (const [model, backend, steps] of [['perceptron', 'cpu', 20000], ['mlp', 'cpu', 20000], ['perceptron', 'webgpu', 20], ['mlp', 'webgpu', 30]]) {
  const page = await browser.newPage();
  const t0 = Date.now();
  await page.goto(`${BASE}#lab=perceptron&gate=xor&model=${model}&steps=${steps}&backend=${backend}&run=1`);
  await page.waitForSelector('main[data-status="done"]', { timeout: 900_000 });
  const sps = await page.textContent('[data-metric="steps_per_sec"]');
  const used = await page.getAttribute('[data-backend]', 'data-backend');
  console.log(`browser ${model} on ${used}: ${sps} steps/s (${steps} steps, ${(Date.now() - t0) / 1000}s wall, load ${load()})`);
  await page.close();
}
await close();
