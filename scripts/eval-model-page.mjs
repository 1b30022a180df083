// Imports a model file into a fresh browser profile, scores it with the eval lab
// on a generated set, and prints the lab's metrics (accuracy, questions_per_sec)
// as one JSON line: the browser's side of `reasonlab eval`. After `trunk build`:
//   node scripts/eval-model-page.mjs MODEL.safetensors 'set=generated&task=logic&level=3&n=200' [timeout_seconds]
import fs from 'node:fs';
import { headless, load, readMetrics, verdict } from './headless.mjs';

const [file, set = 'set=generated&task=add&level=2&n=200', timeout = '600'] = process.argv.slice(2);
if (!file || !fs.existsSync(file)) {
  console.error('usage: node scripts/eval-model-page.mjs MODEL.safetensors [eval settings] [timeout_seconds]');
  process.exit(2);
}
const { browser, base, close } = await headless(8769);
const result = { file, set };
try {
  const page = await browser.newPage();
  await page.goto(base + '#lab=eval&backend=cpu');
  await page.waitForSelector('main#lab');
  await page.setInputFiles('[data-model-import]', file);
  await page.waitForFunction(() => /^Imported /.test(document.querySelector('[data-model-status]').textContent), null, { timeout: 60_000 });
  const hash = await page.getAttribute('table[data-models] tr[data-model]', 'data-model');
  result.model = hash;
  result.load_before = load();
  const started = Date.now();
  await page.goto(`${base}#lab=eval&${set}&model=${hash}&backend=cpu&run=1`);
  result.status = await verdict(page, timeout);
  result.wall_seconds = (Date.now() - started) / 1000;
  result.load_after = load();
  await readMetrics(page, result);
} finally {
  console.log(JSON.stringify(result));
  await close();
}
