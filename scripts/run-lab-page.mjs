// Runs any lab's share link in headless Chromium until it is done (or fails, or
// the time runs out) and prints every data-metric as one JSON line. After `trunk build`:
//   node scripts/run-lab-page.mjs '#lab=mnist&backend=cpu&run=1' [timeout_seconds]
// With MODEL_OUT=file.safetensors it also saves the model the run kept in the
// page (its Export button), for `reasonlab eval` natively.
import { headless, load, readMetrics, verdict } from './headless.mjs';

const [hash = '#lab=perceptron&run=1', timeout = '600'] = process.argv.slice(2);
const { browser, base, close } = await headless(8768);
const page = await browser.newPage();
const result = { hash, load_before: load() };
const started = Date.now();
await page.goto(base + hash);
result.status = await verdict(page, timeout);
result.wall_seconds = (Date.now() - started) / 1000;
result.load_after = load();
result.backend = await page.getAttribute('[data-backend]', 'data-backend');
await readMetrics(page, result);
if (process.env.MODEL_OUT && result.status === 'done') {
  const row = 'table[data-models] tr[data-model]';
  await page.waitForSelector(row, { timeout: 60_000 });
  result.model = await page.getAttribute(row, 'data-model');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(`${row} [data-model-action="export"]`)]);
  await download.saveAs(process.env.MODEL_OUT);
  result.model_file = process.env.MODEL_OUT;
}
console.log(JSON.stringify(result));
await close();
