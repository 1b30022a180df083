// The built site in headless Chromium, as a person would use it.
// Debian's chromium, driven by playwright-core; WebGPU is SwiftShader's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/static-server.mjs';

const PORT = Number(process.env.TEST_PORT ?? 8765);
const BASE = `http://127.0.0.1:${PORT}/`;
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--enable-unsafe-webgpu',
];

test('block: residual connections carry the gradient down a deep stack, drawn on both figures', { timeout: 180_000 }, async () => {
  const page = await open('#lab=block&layers=8&steps=30&seed=1&backend=cpu&run=1');
  await waitStatus(page, 'done', 150_000);
  assert.equal(await metric(page, 'step'), 30);
  const [withRes, without] = [await metric(page, 'grad_ratio_first_last'), await metric(page, 'grad_ratio_first_last_no_residual')];
  assert.ok(withRes > 100 * without, `first/last gradient ratio ${withRes} with residuals, ${without} without`);
  for (const chart of ['stream', 'gradflow']) {
    assert.ok((await inked(page, chart)) > 0.01, `the ${chart} canvas has content`);
  }
  assert.match(await page.textContent('figure:has([data-chart="gradflow"]) figcaption'), /at block 1, .* at block 8, a ratio of/);
  assert.match(await page.textContent('figure:has([data-chart="stream"]) figcaption'), /block 1: attention adds \d/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

for (const backend of ['cpu', 'webgpu']) {
  test(`encoder on ${backend}: both models fill hidden characters of held-out text, drawn with their attention${backend === 'cpu' ? '; seeing both sides fills more' : ''}`, { timeout: 300_000 }, async () => {
    // SwiftShader is slow: there, two steps of a one-block model (42 s; the
    // lab's two blocks of width 32 took 133 s for three steps).
    const [steps, small] = backend === 'cpu' ? [150, ''] : [2, '&layers=1&width=16&heads=2'];
    const page = await open(`#lab=encoder&steps=${steps}${small}&seed=1&backend=${backend}&run=1`);
    await waitStatus(page, 'done', 280_000);
    assert.equal(await metric(page, 'step'), steps);
    for (const name of ['accuracy', 'causal_accuracy']) {
      const v = await metric(page, name);
      assert.ok(v >= 0 && v <= 1, `${name} ${v}`);
      assert.match(await page.textContent(`[data-interval="${name}"]`), /^95 % CI [\d.]+ to [\d.]+ \(n = 128\)$/);
    }
    if (backend === 'cpu') {
      // The lab's claim. Natively, 150 steps of seed 1: 0.358 against 0.269 (seed 2: 0.326 against 0.234).
      const [both, left] = [await metric(page, 'accuracy'), await metric(page, 'causal_accuracy')];
      assert.ok(both > left + 0.04, `the encoder fills more hidden characters than its causal twin: ${both} vs ${left}`);
    }
    for (const chart of ['fills', 'attention']) {
      assert.ok((await inked(page, chart)) > 0.01, `the ${chart} canvas has content`);
    }
    assert.match(await page.textContent('figure:has([data-chart="fills"]) figcaption'), /bidirectional model fills \d+ of \d+ hidden characters/);
    assert.match(await page.textContent('figure:has([data-chart="attention"]) figcaption'), /the causal model 0\.0 %/);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
}

test('decoder: editing a later character moves no earlier prediction with the mask, live', { timeout: 240_000 }, async () => {
  const page = await open('#lab=decoder&steps=40&seed=1&backend=cpu&run=1');
  await waitStatus(page, 'done', 200_000);
  assert.equal(await metric(page, 'causal_max_change'), 0);
  assert.ok((await metric(page, 'unmasked_max_change')) > 0);
  for (const chart of ['mask', 'causality', 'samples']) {
    assert.ok((await inked(page, chart)) > 0.01, `the ${chart} canvas has content`);
  }
  const caption = 'figure:has([data-chart="causality"]) figcaption';
  assert.match(await page.textContent(caption), /Edited at position 21 .* exactly 0 with the mask/);
  // The user edits an earlier character of the copy: the check follows.
  await page.fill('[data-setting="edited"]', 'a dog sleeps on the barn');
  await page.press('[data-setting="edited"]', 'Enter');
  await page.waitForFunction((sel) => /Edited at position 14 \(“i” → “o”\)/.test(document.querySelector(sel).textContent), caption, { timeout: 30_000 });
  assert.equal(await metric(page, 'causal_max_change'), 0);
  assert.match(page.url(), /edited=a(%20|\+)dog(%20|\+)sleeps(%20|\+)on/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('gpt: a short run measures the whole held-out text and writes; a text file of your own trains and survives a reload', { timeout: 300_000 }, async () => {
  const small = 'layers=1&width=32&context=16&batch=4&eval_every=10&warmup=5';
  const page = await open(`#lab=gpt&${small}&steps=20&seed=1&backend=cpu&run=1`);
  await waitStatus(page, 'done', 200_000);
  assert.equal(await metric(page, 'step'), 20);
  const val = await metric(page, 'val_loss_full');
  assert.ok(val > 0 && val < Math.log(76), `val_loss_full ${val}`);
  for (const chart of ['race', 'sample']) {
    assert.ok((await inked(page, chart)) > 0.01, `the ${chart} canvas has content`);
  }
  assert.match(await page.textContent('figure:has([data-chart="race"]) figcaption'), /on the whole held-out text\); nanoGPT's baby GPT reached 2\.00 in 78 s on the same split of this text, on the 2-core machine/);
  assert.match(await page.textContent('figure:has([data-chart="sample"]) figcaption'), /160 characters at step 20/);
  assert.match(await page.textContent('[data-upload-status]'), /No file chosen/);
  // One's own text: picked, trained on, kept in the browser and not in the link.
  const text = 'it was the best of times, it was the worst of times. '.repeat(40);
  await page.setInputFiles('[data-upload="corpus"]', { name: 'dickens.txt', mimeType: 'text/plain', buffer: Buffer.from(text) });
  await page.waitForFunction(() => /dickens\.txt, 2,120 characters, kept in this browser/.test(document.querySelector('[data-upload-status]').textContent), null, { timeout: 10_000 });
  assert.equal(await page.inputValue('[data-setting="corpus"]'), 'file');
  assert.match(page.url(), /corpus=file/);
  assert.ok(!/best/.test(page.url()), 'the text is not in the link');
  await page.click('[data-action="run"]');
  await waitStatus(page, 'done', 120_000);
  assert.match(await page.textContent('.note'), /^\d+ distinct characters; 1908 for training, 212 held out/);
  assert.match(await page.textContent('figure:has([data-chart="race"]) figcaption'), /nanoGPT was not run on this text/);
  await page.reload();
  await page.waitForSelector('main#lab');
  await page.waitForFunction(() => /dickens\.txt/.test(document.querySelector('[data-upload-status]')?.textContent ?? ''), null, { timeout: 10_000 });
  await page.click('[data-action="run"]');
  await waitStatus(page, 'done', 120_000);
  // A text the race preset never saw races nanoGPT's own run on it.
  await page.goto(BASE + `#lab=gpt&${small}&corpus=histories&steps=10&seed=1&backend=cpu&run=1`);
  await waitStatus(page, 'done', 120_000);
  assert.match(await page.textContent('figure:has([data-chart="race"]) figcaption'), /nanoGPT's baby GPT reached 1\.80 in 78 s on the same split of this text/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('sampling: a briefly trained GPT writes, the bars step through the generation live, greedy keeps one character', { timeout: 300_000 }, async () => {
  const page = await open('#lab=sampling&steps=20&length=40&at=3&seed=2&backend=cpu&run=1');
  await waitStatus(page, 'done', 240_000);
  const distinct = await metric(page, 'distinct_2');
  assert.ok(distinct > 0 && distinct <= 1, `distinct_2 ${distinct}`);
  assert.ok((await metric(page, 'self_nll')) > 0);
  assert.ok((await metric(page, 'kept')) >= 1);
  for (const chart of ['distribution', 'generation']) {
    assert.ok((await inked(page, chart)) > 0.01, `the ${chart} canvas has content`);
  }
  const caption = 'figure:has([data-chart="distribution"]) figcaption';
  assert.match(await page.textContent(caption), /^Step 3 of 40, after/);
  assert.equal(await page.locator('figure:has([data-chart="strategies"]) tbody tr').count(), 7);
  // Step through the generation: only the bars move.
  await page.fill('[data-setting="at"]', '12');
  await page.press('[data-setting="at"]', 'Enter');
  await page.waitForFunction((sel) => /^Step 12 of 40/.test(document.querySelector(sel).textContent), caption, { timeout: 30_000 });
  // Greedy: one character kept at every step.
  await page.fill('[data-setting="temperature"]', '0');
  await page.press('[data-setting="temperature"]', 'Enter');
  await page.waitForFunction((sel) => /: 1 of \d+ characters kept/.test(document.querySelector(sel).textContent), caption, { timeout: 30_000 });
  assert.equal(await metric(page, 'kept'), 1);
  assert.match(page.url(), /temperature=0/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('positions: four kinds train side by side and report the probe at twice the context', { timeout: 240_000 }, async () => {
  const page = await open('#lab=positions&steps=60&seed=1&backend=cpu&run=1');
  await waitStatus(page, 'done', 200_000);
  for (const kind of ['none', 'learned', 'sinusoidal', 'rope']) {
    for (const what of ['val_loss', 'probe_accuracy', 'long_accuracy']) {
      const v = await metric(page, `${kind}_${what}`);
      assert.ok(Number.isFinite(v) && v >= 0, `${kind}_${what} ${v}`);
    }
  }
  for (const chart of ['val_loss', 'probe', 'by_position', 'summary']) {
    assert.ok((await inked(page, chart)) > 0.01, `the ${chart} canvas has content`);
  }
  assert.match(await page.textContent('figure:has([data-chart="by_position"]) figcaption'), /rows of 64 digits; the models trained on rows of 32/);
  // The lab's claim: RoPE copies at twice the training length; learned positions have nothing
  // trained there. Natively, 60 steps of seed 1: RoPE 1.00 past the training length, learned 0.10.
  const [rope, learned] = [await metric(page, 'rope_long_accuracy'), await metric(page, 'learned_long_accuracy')];
  assert.ok(rope > 0.8 && rope > learned + 0.5, `RoPE holds at twice the length: ${rope}, learned ${learned}`);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('anatomy: parameters, shapes, every head and the logit lens of a trained GPT; a new prompt redraws live', { timeout: 300_000 }, async () => {
  const page = await open('#lab=anatomy&steps=10&layers=2&seed=1&backend=cpu&run=1');
  await waitStatus(page, 'done', 240_000);
  assert.equal(await metric(page, 'lens_output_gap'), 0);
  assert.equal(await metric(page, 'params'), (await metric(page, 'params_token')) + (await metric(page, 'params_position')) + (await metric(page, 'params_attention')) + (await metric(page, 'params_mlp')) + (await metric(page, 'params_layernorms')) + (await metric(page, 'params_head')));
  for (const chart of ['params', 'attention', 'lens']) {
    assert.ok((await inked(page, chart)) > 0.01, `the ${chart} canvas has content`);
  }
  const path = 'figure:has([data-chart="path"]) tbody';
  assert.match(await page.textContent(path), /scores q·kᵀ \/ √D, future masked—\[1, 4, 27, 27\]/);
  assert.equal(await page.locator('figure:has([data-chart="lens_top"]) tbody tr').count(), 27);
  await page.fill('[data-setting="prompt"]', 'JULIET: Hello');
  await page.press('[data-setting="prompt"]', 'Enter');
  await page.waitForFunction((sel) => /\[1, 4, 13, 13\]/.test(document.querySelector(sel).textContent), path, { timeout: 30_000 });
  assert.equal(await page.locator('figure:has([data-chart="lens_top"]) tbody tr').count(), 13);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('gpt: a paused run is checkpointed, a reload resumes its curve, and the finished model is kept across reloads', { timeout: 300_000 }, async () => {
  const link = '#lab=gpt&layers=1&width=32&context=16&batch=4&eval_every=100&warmup=5&steps=400&seed=3&backend=cpu';
  const page = await open(`${link}&run=1`);
  assert.match(await page.textContent('[data-checkpoints]'), /a checkpoint is kept every 30 seconds and at each pause/);
  await page.waitForFunction(() => Number(document.querySelector('[data-metric="step"]')?.textContent) >= 100, null, { timeout: 120_000 });
  await page.click('[data-action="pause"]');
  await page.waitForFunction(() => /Checkpoint kept at step \d+ of 400/.test(document.querySelector('[data-model-status]').textContent), null, { timeout: 30_000 });
  const at = Number((await page.textContent('[data-model-status]')).match(/step (\d+)/)[1]);
  assert.ok(at >= 100 && at < 400, `checkpoint at ${at}`);
  // A reload (without run=1) resumes: the step and the curve come back.
  await page.evaluate(() => history.replaceState(null, '', location.hash.replace('&run=1', '')));
  await page.reload();
  await page.waitForSelector('main#lab');
  await page.waitForFunction((n) => new RegExp(`Resumed from this run's checkpoint at step ${n} of 400`).test(document.querySelector('.notices').textContent), at, { timeout: 60_000 });
  await page.waitForFunction((n) => Number(document.querySelector('[data-metric="step"]')?.textContent) === n, at, { timeout: 60_000 });
  assert.match(await page.textContent('figure:has([data-chart="train_loss"]) figcaption'), new RegExp(`at step ${at}$`));
  await page.click('[data-action="run"]');
  await waitStatus(page, 'done', 200_000);
  assert.equal(await metric(page, 'step'), 400);
  assert.match(await page.textContent('.note'), new RegExp(`Resumed from this run's checkpoint at step ${at}`));
  const row = 'table[data-models] tr[data-model]:has-text("gpt · shakespeare · 1 × 32 · step 400")';
  await page.waitForSelector(row, { timeout: 30_000 });
  assert.match(await page.textContent(row), /\d+ kB/);
  // The map counts the models Day 18 kept; the lab says which later days take them.
  await page.waitForSelector('.course-map li[data-lab="gpt"][data-kept] .kept-mark', { timeout: 10_000 });
  assert.match(await page.textContent('.course-map li[data-lab="gpt"] .kept-mark'), /^\d+ kept$/);
  assert.match(await page.textContent('nav.next [data-keep]'), /for the days that take kept models: Day 19 \(.+\), .*Day 30 \(/);
  await page.reload();
  await page.waitForSelector(row, { timeout: 30_000 });
  assert.ok(!/Resumed/.test(await page.textContent('.notices')), 'the finished run left no checkpoint');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('models travel: export, import in a fresh profile, the same samples; the CLI reads the page\'s file and the page the CLI\'s; bad files change nothing', { timeout: 420_000 }, async () => {
  const page = await open('#lab=gpt&layers=1&width=32&context=16&batch=4&eval_every=100&warmup=5&steps=30&seed=4&backend=cpu&run=1');
  await waitStatus(page, 'done', 120_000);
  const row = 'table[data-models] tr[data-model]:has-text("· 1 × 32 · step 30 ·")';
  await page.waitForSelector(row, { timeout: 30_000 });
  const hash = await page.getAttribute(row, 'data-model');
  assert.match(hash, /^[0-9a-f]{16}$/);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(`${row} [data-model-action="export"]`)]);
  assert.match(download.suggestedFilename(), /^gpt-shakespeare-1-x-32-step-30.*\.safetensors$/);
  const exported = path.join(profile, 'exported.safetensors');
  await download.saveAs(exported);
  const sampling = `#lab=sampling&model=${hash}&length=60&seed=3&backend=cpu`;
  await page.goto(BASE + sampling + '&run=1');
  await waitStatus(page, 'done', 120_000);
  const samples = await page.textContent('figure:has([data-chart="strategies"]) tbody');
  const pageVal = await metric(page, 'val_loss');
  assert.match(await page.textContent('.note'), /Started from a loaded model/);
  await page.close();

  // The CLI loads the page's file: the same model, the same held-out loss.
  const bin = path.join(process.env.CARGO_TARGET_DIR ?? 'target', 'debug', 'reasonlab');
  const lines = execFileSync(bin, ['run', 'sampling', '--load', exported, '--length', '60', '--seed', '3', '--json'], { encoding: 'utf8' }).trim().split('\n');
  const last = JSON.parse(lines[lines.length - 1]);
  assert.ok(Math.abs(last.val_loss - pageVal) < 1e-3, `CLI ${last.val_loss} vs page ${pageVal}`);
  const cliFile = path.join(profile, 'cli.safetensors');
  execFileSync(bin, ['run', 'gpt', '--layers', '1', '--width', '32', '--context', '16', '--batch', '4', '--steps', '20', '--warmup', '5', '--seed', '9', '--save', cliFile], { encoding: 'utf8' });

  // A fresh profile has no such model: the link says so; the import brings it.
  const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'reasonlab-fresh-'));
  const other = await chromium.launchPersistentContext(fresh, { executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: FLAGS });
  try {
    const p2 = await other.newPage();
    const errors = [];
    p2.on('pageerror', (e) => errors.push(String(e)));
    await p2.goto(BASE + sampling);
    await p2.waitForSelector('main#lab');
    await p2.waitForFunction((h) => document.querySelector('.notices').textContent.includes(`names the model ${h}, which this browser does not keep`), hash, { timeout: 30_000 });
    const status = '[data-model-status]';
    // Damaged and foreign files: a message, and nothing kept.
    const bytes = fs.readFileSync(exported);
    await p2.setInputFiles('[data-model-import]', { name: 'cut.safetensors', mimeType: 'application/octet-stream', buffer: bytes.subarray(0, 1000) });
    await p2.waitForFunction((sel) => /^Not imported: .*truncated.* Nothing was changed\.$/.test(document.querySelector(sel).textContent), status, { timeout: 30_000 });
    await p2.setInputFiles('[data-model-import]', { name: 'notes.safetensors', mimeType: 'text/plain', buffer: Buffer.from('just some text, not a model at all') });
    await p2.waitForFunction((sel) => /^Not imported: .*not a ReasonLab model file.* Nothing was changed\.$/.test(document.querySelector(sel).textContent), status, { timeout: 30_000 });
    // A 2 GB file (sparse on disk) is refused by its size, before it is read.
    const huge = path.join(fresh, 'huge.safetensors');
    fs.closeSync(fs.openSync(huge, 'w'));
    fs.truncateSync(huge, 2 ** 31);
    await p2.setInputFiles('[data-model-import]', huge);
    await p2.waitForFunction((sel) => /^Not imported: huge\.safetensors is 2\.1 GB, far more than any model here .* Nothing was changed\.$/.test(document.querySelector(sel).textContent), status, { timeout: 30_000 });
    fs.rmSync(huge);
    // Crafted files a stranger could send: each is refused with its reason, and the worker goes on.
    for (const [name, change, reason] of hostileVariants()) {
      await p2.evaluate((sel) => { document.querySelector(sel).textContent = ''; }, status);
      await p2.setInputFiles('[data-model-import]', { name, mimeType: 'application/octet-stream', buffer: craft(bytes, change) });
      await p2.waitForFunction((sel) => /^Not imported: .* Nothing was changed\.$/.test(document.querySelector(sel).textContent), status, { timeout: 30_000 });
      assert.match(await p2.textContent(status), reason, name);
    }
    assert.equal(await p2.locator('table[data-models] tr[data-model]').count(), 0);
    await p2.setInputFiles('[data-model-import]', exported);
    await p2.waitForFunction((sel) => /^Imported “gpt · shakespeare · 1 × 32 · step 30/.test(document.querySelector(sel).textContent), status, { timeout: 30_000 });
    await p2.setInputFiles('[data-model-import]', cliFile);
    await p2.waitForFunction((sel) => /^Imported “gpt · shakespeare · 1 × 32 · step 20/.test(document.querySelector(sel).textContent), status, { timeout: 30_000 });
    await p2.waitForFunction(() => document.querySelectorAll('table[data-models] tr[data-model]').length === 2, null, { timeout: 10_000 });
    await p2.goto(BASE + sampling + '&run=1');
    await p2.waitForSelector('main[data-status="done"]', { timeout: 120_000 });
    assert.equal(await p2.textContent('figure:has([data-chart="strategies"]) tbody'), samples, 'the same samples in a fresh profile');
    assert.deepEqual(errors, []);
  } finally {
    await other.close();
    fs.rmSync(fresh, { recursive: true, force: true });
  }
});

/** A copy of a model file whose header `change(header, config)` edited. */
function craft(bytes, change) {
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
  const config = JSON.parse(header.__metadata__.config);
  change(header, config);
  header.__metadata__.config = JSON.stringify(config);
  let text = JSON.stringify(header);
  while ((8 + text.length) % 8) text += ' ';
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(text)));
  return Buffer.concat([length, Buffer.from(text), bytes.subarray(8 + n)]);
}

/** Hostile edits of a good file, and the reason each must be refused with. */
function hostileVariants() {
  const tensors = (h) => Object.keys(h).filter((k) => k !== '__metadata__');
  return [
    // Two tensors of one shape read the same bytes.
    ['aliased.safetensors', (h) => {
      const [gamma, beta] = tensors(h).filter((k) => /ln_f/.test(k)).map((k) => h[k]);
      beta.data_offsets = [...gamma.data_offsets];
    }, /share bytes/],
    ['reversed.safetensors', (h) => { const t = h[tensors(h)[0]]; t.data_offsets = [t.data_offsets[1], t.data_offsets[0]]; }, /do not fit/],
    ['rope-odd.safetensors', (h, c) => { c.positions = 'rope'; c.n_embd = 24; c.n_head = 8; }, /RoPE needs an even number/],
    ['past-the-labs.safetensors', (h, c) => { c.n_layer = 48; c.n_embd = 2048; }, /48 layers; the labs keep models of 1 to 12/],
    ['huge-offsets.safetensors', (h) => { h[tensors(h)[0]].data_offsets = [2 ** 53, 2 ** 53 + 4]; }, /do not fit/],
  ];
}

test('a full or refused storage quota gets a message, and the training still finishes', { timeout: 180_000 }, async () => {
  const refuse = () => {
    IDBObjectStore.prototype.put = function () { throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); };
  };
  const page = await open('#lab=gpt&layers=1&width=32&context=16&batch=4&eval_every=100&warmup=5&steps=25&seed=6&backend=cpu&run=1', { init: refuse });
  await waitStatus(page, 'done', 120_000);
  assert.equal(await metric(page, 'step'), 25);
  // The space the page uses and its quota, under the model list.
  await page.waitForFunction(() => /^Storage: this page uses [\d.]+ [kMG]B of the [\d.]+ [kMG]B the browser allows it/.test(document.querySelector('[data-storage]').textContent), null, { timeout: 10_000 });
  await page.waitForFunction(() => /could not be kept in this browser: the browser's storage for this page is full or was refused/.test(document.querySelector('.notices').textContent), null, { timeout: 30_000 });
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-model-action="download-unkept"]')]);
  assert.match(download.suggestedFilename(), /\.safetensors$/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('reasoning-data: problems with chains, the tokenizer view, the checker on a corrupted chain, and the set as JSONL', { timeout: 120_000 }, async () => {
  const page = await open('#lab=reasoning-data&task=add&level=4&n=200&index=3&seed=1&backend=cpu&run=1');
  await waitStatus(page, 'done', 60_000);
  assert.equal(await metric(page, 'problems'), 200);
  assert.equal(await metric(page, 'train_test_overlap'), 0);
  assert.equal(await page.locator('figure:has([data-chart="problems"]) tbody tr').count(), 40);
  assert.match(await page.textContent('figure:has([data-chart="problems"]) tbody tr'), /^1\d{4}\+\d{4}\d\+\d\+0=\d,\d;/);
  assert.match(await page.textContent('figure:has([data-chart="checker"]) figcaption'), /the checker finds the first wrong step at step \d/);
  assert.ok((await inked(page, 'tokens')) > 0.01);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[data-chart="jsonl"]')]);
  assert.equal(download.suggestedFilename(), 'reasonlab-add-4.jsonl');
  const file = path.join(profile, 'set.jsonl');
  await download.saveAs(file);
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 200);
  assert.ok(lines.every((p) => p.task === 'add' && Number(p.answer) === p.question.split('+').map(Number).reduce((a, b) => a + b)));
  await page.fill('[data-setting="index"]', '5');
  await page.press('[data-setting="index"]', 'Enter');
  await page.waitForFunction(() => /^Problem 5:/.test(document.querySelector('figure:has([data-chart="tokens"]) figcaption').textContent), null, { timeout: 10_000 });
  assert.deepEqual(page.errors, []);
  await page.close();
});

// Before any test keeps a week-4 model in this profile: with nothing to
// choose, the report waits for one and says so instead of drawing empty axes.
test('a report with no model kept waits for one, and says so in place of empty axes', { timeout: 60_000 }, async () => {
  const page = await open('#lab=report&backend=cpu&run=1');
  await waitStatus(page, 'waiting', 30_000);
  await page.waitForSelector('canvas[data-chart="curves"][data-empty]', { timeout: 30_000 });
  await page.waitForSelector('canvas[data-chart="scores"][data-empty]', { timeout: 30_000 });
  assert.equal(await page.textContent('figure:has([data-chart="curves"]) figcaption'), 'No model yet.');
  assert.match(await page.textContent('.note'), /^No model yet: pick the first with Use/);
  assert.match(await page.textContent('.notices'), /none is chosen: keep one on Days 23–28/);
  // Run changes nothing: no score for models that are not there.
  await page.click('[data-action="run"]');
  await page.waitForTimeout(500);
  assert.equal(await page.getAttribute('main', 'data-status'), 'waiting');
  assert.deepEqual(await page.$$eval('[data-metric]', (cells) => cells.map((c) => c.textContent).filter((t) => t !== '–')), []);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('gpt-mini then cot: CoT beats plain on the same budget; a kept GPT-mini starts a CoT run, whose chains are checked step by step', { timeout: 300_000 }, async () => {
  // Natively, 300 Muon steps on 2-digit sums, 100 held out: CoT 0.92, plain 0.11 (seed 11);
  // seed 2: 0.90 and 0.53. Plain catches up on sums this short given more steps.
  const small = 'task=add&level=2&train_n=2000&eval_n=100&layers=1&width=32&optimizer=muon&lr=0.02&eval_every=1000&seed=11&backend=cpu';
  const page = await open(`#lab=gpt-mini&${small}&steps=300&run=1`);
  await waitStatus(page, 'done', 200_000);
  const plain = await metric(page, 'accuracy');
  assert.ok((await inked(page, 'written')) > 0.01);
  const row = 'table[data-models] tr[data-model]:has-text("gpt-mini · add 2 · 1 × 32 · step 300")';
  await page.waitForSelector(row, { timeout: 30_000 });
  const hash = await page.getAttribute(row, 'data-model');
  // The claim: the same model and budget, given room to write its steps, gets far more right.
  await page.goto(BASE + `#lab=cot&${small}&steps=300&run=1`);
  await waitStatus(page, 'done', 200_000);
  const cot = await metric(page, 'accuracy');
  assert.ok(cot > plain + 0.3, `CoT ${cot} against plain ${plain}, 100 held-out sums each`);
  assert.match(await page.textContent('[data-interval="accuracy"]'), /\(n = 100\)$/);
  // A kept GPT-mini as the start of a short CoT run.
  await page.goto(BASE + `#lab=cot&${small.replace('eval_n=100', 'eval_n=20')}&steps=40&model=${hash}&run=1`);
  await waitStatus(page, 'done', 200_000);
  assert.match(await page.textContent('.note'), /Started from a kept model \(1 × 32: blocks × width\)/);
  const steps = await metric(page, 'step_accuracy');
  assert.ok(steps >= 0 && steps < 1, `after 40 steps some chain steps are wrong: ${steps}`);
  assert.match(await page.textContent('figure:has([data-chart="written"]) figcaption'), /Held-out problems 1–3 at step 40: \d of 3 right\. .* a step that does not check is boxed/);
  assert.ok((await page.locator('figure:has([data-chart="errors"]) tbody tr').count()) > 0);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('tools: the model calls the calculator, whose results are underlined, and beats the same model without it by 50 points', { timeout: 240_000 }, async () => {
  // Natively, 200 steps at this rate: 0.99 with the calculator, 0.00 without (seeds 1 and 3: 0.83, 0.82).
  const page = await open('#lab=tools&task=mul&level=4&eval_n=100&layers=2&width=64&lr=0.006&steps=200&eval_every=100&seed=2&backend=cpu&run=1');
  await waitStatus(page, 'done', 200_000);
  for (const name of ['accuracy', 'no_tool_accuracy', 'calls_parsed']) {
    const v = await metric(page, name);
    assert.ok(v >= 0 && v <= 1, `${name} ${v}`);
  }
  const [tool, without] = [await metric(page, 'accuracy'), await metric(page, 'no_tool_accuracy')];
  assert.ok(tool >= without + 0.5, `with the calculator ${tool}, without ${without}`);
  assert.match(await page.textContent('.note'), /the calculator writes each call's result \(left out of the loss\)/);
  assert.ok((await inked(page, 'written')) > 0.01);
  assert.match(await page.textContent('figure:has([data-chart="written"]) figcaption'), /Held-out problems 1–3 at step 200/);
  await page.waitForSelector('table[data-models] tr[data-model]:has-text("tools · mul 4 · 2 × 64 · step 200")', { timeout: 30_000 });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('ppo: a warm-up CoT model, then GRPO draws answers, shades them by advantage and keeps the tuned model', { timeout: 240_000 }, async () => {
  const page = await open('#lab=ppo&method=grpo&task=add&level=2&warmup=40&layers=1&width=32&questions=2&group=4&steps=4&eval_every=4&seed=1&backend=cpu&run=1');
  await waitStatus(page, 'done', 200_000);
  for (const name of ['mean_reward', 'kl', 'clip_fraction', 'entropy', 'accuracy', 'start_accuracy']) {
    const v = await metric(page, name);
    assert.ok(Number.isFinite(v), `${name} ${v}`);
  }
  assert.match(await page.textContent('.note'), /^GRPO: 2 questions a step, 4 answers each/);
  await controlBeside(page);
  assert.ok((await inked(page, 'rollouts')) > 0.01);
  assert.equal(await page.locator('figure:has([data-chart="recent"]) tbody tr').count(), 8);
  await page.waitForSelector('table[data-models] tr[data-model]:has-text("ppo · add 2 · 1 × 32 · step 44")', { timeout: 30_000 });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('dpo: pairs of a right chain and the model\'s own wrong one, their implicit rewards, and the tuned model kept', { timeout: 240_000 }, async () => {
  const page = await open('#lab=dpo&task=add&level=2&warmup=40&layers=1&width=32&pairs=4&tries=2&steps=4&eval_every=4&seed=1&backend=cpu&run=1');
  await waitStatus(page, 'done', 200_000);
  for (const name of ['dpo_loss', 'chosen_reward', 'rejected_reward', 'accuracy', 'start_accuracy']) {
    const v = await metric(page, name);
    assert.ok(Number.isFinite(v), `${name} ${v}`);
  }
  const right = await metric(page, 'reward_accuracy');
  assert.ok(right >= 0 && right <= 1, `reward_accuracy ${right}`);
  assert.match(await page.textContent('.note'), /^DPO: 4 pairs a step/);
  await controlBeside(page);
  assert.ok((await inked(page, 'pairs_drawn')) > 0.01);
  assert.equal(await page.locator('figure:has([data-chart="pairs"]) tbody tr').count(), 4);
  await page.waitForSelector('table[data-models] tr[data-model]:has-text("dpo · add 2 · 1 × 32 · step 44")', { timeout: 30_000 });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('eval and compare: the kept models chosen for the learner, side by side on problems neither trained on, changed with Use as B; the paired test decides', { timeout: 300_000 }, async () => {
  // CoT on 2-digit sums: 300 Muon steps learn them (0.98 held out natively), 20 do not.
  const cot = 'task=add&level=2&train_n=2000&eval_n=10&layers=1&width=32&optimizer=muon&lr=0.02&eval_every=1000&backend=cpu';
  const page = await open(`#lab=cot&${cot}&steps=20&seed=7&run=1`);
  await waitStatus(page, 'done', 120_000);
  await page.goto(BASE + `#lab=cot&${cot}&steps=300&seed=8&run=1`);
  await waitStatus(page, 'done', 120_000);
  await page.goto(BASE + '#lab=eval&set=generated&task=add&level=2&n=50&backend=cpu');
  await page.waitForSelector('main#lab');
  const row = (steps) => `table[data-models] tr[data-model]:has-text("cot · add 2 · 1 × 32 · step ${steps} ")`;
  await page.waitForSelector(row(20), { timeout: 30_000 });
  // Day 25 chooses for the learner: the latest CoT model kept (step 300), and
  // the latest plain one (an earlier test's GPT-mini) as Model B; it says so.
  await page.waitForFunction(() => /model=[0-9a-f]{16}&model_b=[0-9a-f]{16}/.test(location.hash), null, { timeout: 30_000 });
  assert.match(await page.textContent('.notices'), /Chose “cot · add 2 · 1 × 32 · step 300[^”]*”, the latest CoT model kept here, as Model, and “gpt-mini · [^”]+”, the latest plain one, as Model B\. Change them with Use and Use as B/);
  assert.equal(new URL(page.url()).hash.match(/model=([0-9a-f]{16})/)[1], await page.getAttribute(row(300), 'data-model'));
  // The learner puts the undertrained CoT model beside it instead.
  await page.waitForSelector(`${row(20)} [data-model-action="use-b"]`, { timeout: 30_000 });
  await page.click(`${row(20)} [data-model-action="use-b"]`);
  await page.waitForFunction(() => /model_b=[0-9a-f]{16}/.test(location.hash) && /model=[0-9a-f]{16}/.test(location.hash), null, { timeout: 30_000 });
  await page.click('[data-action="run"]');
  await waitStatus(page, 'done', 120_000);
  assert.equal(await metric(page, 'scored'), 50);
  assert.equal(await metric(page, 'in_training'), 0, 'none of the 50 is a question either model trained on');
  const header = await page.textContent('figure:has([data-chart="summary"]) thead');
  assert.match(header, /step 300 .*step 20 /);
  assert.ok((await metric(page, 'accuracy')) > (await metric(page, 'accuracy_b')) + 0.5, 'the trained model scores far higher');
  assert.match(await page.textContent('[data-interval="accuracy"]'), /^95 % CI 0\.\d+ to [01](\.\d+)? \(n = 50\)$/);
  const diffs = await page.textContent('figure:has([data-chart="diffs"]) figcaption');
  assert.match(diffs, /^\d+ questions only cot .* gets right, \d+ only cot/);
  assert.match(diffs, /step 20 .* is worse than cot .*step 300 .*: -\d+\.\d points \(95 % CI -\d+\.\d to -\d+\.\d, n = 50; fixed \d+, broke \d+\), McNemar p = 0\.0/);
  assert.ok((await inked(page, 'by_difficulty')) > 0.01);

  // Day 29 chooses every model kept from week 4, the latest CoT one first.
  await page.goto(BASE + '#lab=compare&task=add&from=2&to=3&n=20&backend=cpu');
  await page.waitForSelector('main#lab');
  await page.waitForFunction(() => /model=[0-9a-f]{16}&models=[0-9a-f]{16}/.test(location.hash), null, { timeout: 30_000 });
  const chose = (await page.textContent('.notices')).match(/Chose “cot · add 2 · 1 × 32 · step 300[^”]*”, the latest CoT model kept here, as the first, and the (\d+) other models kept from week 4 beside it\. Change them with Use, Add and Remove/);
  assert.ok(chose, await page.textContent('.notices'));
  const others = decodeURIComponent(new URL(page.url()).hash).match(/models=([0-9a-f,]+)/)[1].split(',');
  assert.equal(others.length, Number(chose[1]));
  await page.waitForSelector(row(20), { timeout: 30_000 });
  const kept = await page.$$eval('table[data-models] tr[data-model]', (rows) => rows.filter((r) => /^(gpt-mini|cot|ppo|dpo|tools) · /.test(r.textContent)).map((r) => r.dataset.model));
  assert.equal(others.length + 1, kept.length, 'every week-4 model kept here is compared');
  assert.ok(others.includes(await page.getAttribute(row(20), 'data-model')));
  await page.click('[data-action="run"]');
  await waitStatus(page, 'done', 180_000);
  assert.equal(await metric(page, 'scored'), 40);
  assert.equal(await page.locator('figure:has([data-chart="changes"]) tbody tr').count(), others.length, 'each against the first');
  assert.match(await page.textContent('figure:has([data-chart="changes"]) tbody tr:has-text("step 20 ")'), /worse/, 'the undertrained model, against the trained first');
  assert.match(await page.textContent('figure:has([data-chart="summary"]) tbody'), /add 2.*add 3/s);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('report: chosen for the learner or named by its link, built from kept models, names a missing one, says a verdict only where its interval allows, exports HTML that opens offline and Markdown with PNGs', { timeout: 480_000 }, async () => {
  // A CoT model and a plain one of the same size and budget (natively 0.92 and 0.11 held out).
  const same = 'task=add&level=2&train_n=2000&eval_n=10&layers=1&width=32&optimizer=muon&lr=0.02&eval_every=1000&steps=300&seed=11&backend=cpu';
  const page = await open(`#lab=gpt-mini&${same}&run=1`);
  await waitStatus(page, 'done', 120_000);
  const plainRow = 'table[data-models] tr[data-model]:has-text("gpt-mini · add 2 · 1 × 32 · step 300 ")';
  await page.waitForSelector(plainRow, { timeout: 30_000 });
  const plain = await page.getAttribute(plainRow, 'data-model');
  await page.goto(BASE + `#lab=cot&${same}&run=1`);
  await waitStatus(page, 'done', 120_000);
  const row = 'table[data-models] tr[data-model]:has-text("cot · add 2 · 1 × 32 · step 300 ")';
  await page.waitForSelector(row, { timeout: 30_000 });
  const hash = await page.getAttribute(row, 'data-model');
  // Opened bare, Day 30 chooses every model kept from week 4, this CoT model
  // first, and scores them all.
  await page.goto(BASE + '#lab=report&n=10&backend=cpu&run=1');
  await page.waitForFunction((h) => location.hash.includes(`model=${h}&models=`), hash, { timeout: 30_000 }).catch(async (e) => { console.log('state at the timeout:', hash, page.url(), page.errors, await page.textContent('.notices'), await page.$$eval('table[data-models] tr[data-model]', (rs) => rs.map((r) => r.dataset.model + ' ' + r.textContent).join('\n'))); throw e; });
  const chose = (await page.textContent('.notices')).match(/Chose “cot · add 2 · 1 × 32 · step 300[^”]*”, the latest CoT model kept here, as the first, and the (\d+) other models kept from week 4 beside it/);
  assert.ok(chose, await page.textContent('.notices'));
  const others = decodeURIComponent(new URL(page.url()).hash).match(/models=([0-9a-f,]+)/)[1].split(',');
  assert.ok(others.includes(plain) && others.length === Number(chose[1]), `${plain} among ${others}`);
  await waitStatus(page, 'done', 240_000);
  assert.equal(await metric(page, 'models'), others.length + 1);
  assert.equal(await metric(page, 'missing'), 0);
  assert.ok((await metric(page, 'answered')) >= 10 * (others.length + 1));
  assert.ok((await inked(page, 'scores')) > 0.005);
  // A link that names its models gets those, and is told of one it lacks.
  await page.goto(BASE + `#lab=report&model=${hash}&models=${plain},feedfacefeedface&n=50&backend=cpu&run=1`);
  await waitStatus(page, 'done', 120_000);
  assert.equal(await metric(page, 'models'), 2);
  assert.equal(await metric(page, 'missing'), 1);
  assert.equal(await metric(page, 'answered'), 100);
  assert.equal(await metric(page, 'in_training'), 0, 'the held-out sums leave out both models\' 2,000');
  const findings = await page.textContent('figure:has([data-chart="findings"]) tbody');
  assert.match(findings, /Missing: the link names the model feedfacefeedface/);
  assert.match(findings, /CoT \([0-9a-f]{6}\) \(add 2\): its training loss fell from \d\.\d{3} to \d\.\d{3} over steps 1 to 300\./);
  // The verdict on chain of thought follows its paired interval, and the numbers beside it.
  const cot = findings.match(/(Worked|Did not work here|No clear difference \(n = 50\)): chain of thought\. On add 2, CoT \([0-9a-f]{6}\) writes its steps and gets ([\d.]+) %; plain \([0-9a-f]{6}\) answers at once and gets ([\d.]+) %: ([+-][\d.]+) points \(95 % CI ([+-][\d.]+) to ([+-][\d.]+), n = 50;/);
  assert.ok(cot, findings);
  const [said, a, b, d, lo, hi] = [cot[1], ...cot.slice(2).map(Number)];
  assert.ok(Math.abs(d - (a - b)) < 0.15 && lo <= d && d <= hi, cot[0]);
  assert.equal(said, 'Worked', `CoT far ahead of plain: ${cot[0]}`);
  assert.ok(lo > 0, 'a verdict only where the interval leaves out 0');
  assert.match(await page.textContent('.notices'), /feedfacefeedface/);
  assert.match(await page.textContent('figure:has([data-chart="chains"]) tbody'), /[✓✗]/);
  for (const chart of ['curves', 'scores', 'attention']) assert.ok((await inked(page, chart)) > 0.005, `${chart} is drawn`);

  // One HTML file: every table and plot inside it, nothing fetched.
  const [html] = await Promise.all([page.waitForEvent('download'), page.click('[data-action="export"]')]);
  const text = fs.readFileSync(await html.path(), 'utf8');
  assert.ok(!/<script/i.test(text));
  assert.ok((text.match(/<img src="data:image\/png;base64,/g) ?? []).length >= 3, 'the plots are embedded');
  assert.match(text, /<caption>What worked and what did not\. \d+ statements/);
  assert.match(text, /Missing: the link names the model feedfacefeedface/);
  const offline = await browser.newPage();
  const fetched = [];
  await offline.route('**/*', (route) => { fetched.push(route.request().url()); route.abort(); });
  await offline.setContent(text);
  const images = await offline.$$eval('img', (imgs) => imgs.map((i) => i.complete && i.naturalWidth > 0));
  assert.ok(images.length >= 3 && images.every(Boolean), `every image shows offline: ${images}`);
  assert.deepEqual(fetched, [], 'the report fetches nothing');
  await offline.close();

  // Markdown with its plots as PNG files, in one zip.
  const [zip] = await Promise.all([page.waitForEvent('download'), page.click('[data-action="export-md"]')]);
  assert.match(zip.suggestedFilename(), /^reasonlab-report\.zip$/);
  const listing = JSON.parse(execFileSync('python3', ['-c', `import zipfile, sys, json
z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None
print(json.dumps({n: z.read(n)[:8].hex() if n.endswith('.png') else z.read(n).decode() for n in z.namelist()}))`, await zip.path()], { encoding: 'utf8' }));
  const names = Object.keys(listing);
  assert.equal(names[0], 'report.md');
  const pngs = names.filter((n) => /^figure-\d+\.png$/.test(n));
  assert.ok(pngs.length >= 3, `${names}`);
  assert.ok(pngs.every((n) => listing[n] === '89504e470d0a1a0a'), 'each is a PNG');
  for (const n of pngs) assert.ok(listing['report.md'].includes(`](${n})`), `report.md shows ${n}`);
  assert.match(listing['report.md'], /\| finding \|\n\| --- \|\n\| Missing: the link names the model feedfacefeedface/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

let server, browser, profile;

before(async () => {
  assert.ok(fs.existsSync('dist/index.html'), 'build the site first (trunk build)');
  server = await startServer('dist', PORT);
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'reasonlab-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: FLAGS,
  });
});

after(async () => {
  await browser?.close();
  server?.close();
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
});

/**
 * Opens a fresh page at `hash`, failing the test on any uncaught page error.
 * `init`, a function, runs in the page before any of its own scripts.
 */
async function open(hash, { init } = {}) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // A CSP refusal in the page is an error of the test too (the server also collects reports).
  page.on('console', (m) => /Refused to .*Content Security Policy/.test(m.text()) && errors.push(m.text()));
  page.errors = errors;
  if (init) await page.addInitScript(init);
  await page.goto(BASE + hash);
  await page.waitForSelector('main#lab');
  return page;
}

/**
 * A tuning lab's control: scored on the same questions, drawn on the
 * accuracy chart, and the verdict in the note follows its interval (a
 * difference whose interval holds 0 is never called better or worse).
 */
async function controlBeside(page) {
  const [acc, control, over] = [await metric(page, 'accuracy'), await metric(page, 'control_accuracy'), await metric(page, 'gain_over_control')];
  assert.ok(Math.abs(over - (acc - control)) < 1e-3, `gain over control ${over} = ${acc} − ${control}`);
  const interval = await page.textContent('[data-interval="gain_over_control"]');
  const [lo, hi] = interval.match(/^95 % CI (-?[\d.e-]+) to (-?[\d.e-]+) \(n = 200\)$/).slice(1).map(Number);
  const note = await page.textContent('.note');
  const verdict = note.match(/Over the control: [^,]+, n = 200; fixed \d+, broke \d+\), (better than|worse than|no clear difference from) its control/);
  assert.ok(verdict, note);
  // The tuned model beats its control, or the lab says it does not: the verdict follows the interval.
  if (lo <= 0 && hi >= 0) assert.equal(verdict[1], 'no clear difference from', note);
  if (verdict[1] === 'better than') assert.ok(lo > 0 && over > 0, note);
  if (verdict[1] === 'worse than') assert.ok(hi < 0 && over < 0, note);
  assert.match(await page.textContent('figure:has([data-chart="accuracy"]) figcaption'), /^accuracy: [\d.]+ at step \d+; control: [\d.]+ at step \d+$/);
}

async function metric(page, name) {
  return Number(await page.textContent(`[data-metric="${name}"]`));
}

async function waitStatus(page, status, timeout) {
  await page.waitForSelector(`main[data-status="${status}"]`, { timeout });
}

for (const [backend, timeout] of [['cpu', 60_000], ['webgpu', 600_000]]) {
  test(`XOR MLP reaches accuracy 1 on ${backend}`, { timeout: timeout + 30_000 }, async () => {
    const page = await open(`#lab=perceptron&gate=xor&model=mlp&seed=1&steps=100&backend=${backend}&run=1`);
    await waitStatus(page, 'done', timeout);
    assert.equal(await page.getAttribute('[data-backend]', 'data-backend'), backend);
    assert.equal(await metric(page, 'accuracy'), 1);
    assert.equal(await metric(page, 'step'), 100);
    assert.ok((await metric(page, 'loss')) < 0.5);
    assert.match(await page.textContent('figcaption'), /4 of 4 points right/);
    // The course carries on: the map marks Day 1 as run, and the lab points to Day 2.
    await page.waitForSelector('.course-map li[data-lab="perceptron"][data-run] .run-mark', { timeout: 10_000 });
    assert.equal(await page.getAttribute('nav.next [data-next]', 'href'), '#lab=mnist');
    assert.match(await page.textContent('nav.next'), /^Next: Day 2 · /);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
}

// The longer race's optimizer: Muon's orthogonalising matmuls run on both
// workers. On the CPU a short run from the same start gets below AdamW's loss;
// on SwiftShader, the next test's Muon run learns before its GPU is lost.
const MUON_RUN = 'layers=1&width=32&context=16&batch=8&eval_every=100&warmup=5&lr=0.01&steps=40&seed=2&optimizer=muon';
test('gpt with Muon learns on cpu, below AdamW from the same start', { timeout: 150_000 }, async () => {
  const loss = {};
  for (const optimizer of ['adamw', 'muon']) {
    const page = await open(`#lab=gpt&${MUON_RUN.replace('optimizer=muon', `optimizer=${optimizer}`)}&backend=cpu&run=1`);
    await waitStatus(page, 'done', 60_000);
    assert.equal(await page.getAttribute('[data-backend]', 'data-backend'), 'cpu');
    assert.equal(await metric(page, 'step'), 40);
    loss[optimizer] = await metric(page, 'val_loss_full');
    assert.deepEqual(page.errors, []);
    await page.close();
  }
  // An untrained model scores about ln 76 = 4.3; AdamW reaches 3.15 here, Muon 2.88 (natively).
  assert.ok(loss.muon < 3.2 && loss.muon < loss.adamw, `Muon ${loss.muon}, AdamW ${loss.adamw}`);
});

test('gpt with Muon learns on WebGPU; a GPU lost mid-run pauses at its checkpoint, and the CPU goes on from there', { timeout: 400_000 }, async () => {
  const page = await open(`#lab=gpt&${MUON_RUN}&backend=webgpu&run=1`);
  const stepAbove = (n, timeout) => page.waitForFunction((n) => Number(document.querySelector('[data-metric="step"]')?.textContent) > n, n, { timeout });
  await stepAbove(11, 240_000);
  assert.equal(await page.getAttribute('[data-backend]', 'data-backend'), 'webgpu');
  await page.click('[data-action="pause"]');
  await page.waitForFunction(() => /Checkpoint kept at step \d+ of 40/.test(document.querySelector('[data-model-status]').textContent), null, { timeout: 60_000 });
  const at = Number((await page.textContent('[data-model-status]')).match(/step (\d+)/)[1]);
  // Muon learned on the GPU: from ln 76 = 4.3 untrained (natively 3.0 to 3.4 at steps 12 to 16).
  const trained = await metric(page, 'train_loss');
  assert.ok(trained < 3.8, `training loss ${trained} at step ${at} on WebGPU`);
  await page.click('[data-action="run"]');
  await stepAbove(at, 120_000);
  // The browser takes the device away, as a driver reset would (www/gpu-watch.js keeps it on the worker).
  const gpu = page.workers().find((w) => w.url().endsWith('/worker_loader.js'));
  await gpu.evaluate(() => self.reasonlabGpuDevice.destroy());
  await page.waitForSelector('.notices .gpu-lost', { timeout: 30_000 });
  const notice = await page.textContent('.notices .gpu-lost');
  assert.match(notice, new RegExp(`^The GPU stopped at step \\d+: the browser took the WebGPU device away \\(“destroyed: .+”\\)\\. Its last checkpoint, step ${at} of 40, is kept: the CPU goes on from there\\.Go on on the CPU or press Run to try the GPU again\\.$`), notice);
  assert.equal(await page.getAttribute('main', 'data-status'), 'paused');
  assert.equal(await page.locator('.notices .error').count(), 0, 'the loss is said once, not as the failed read that follows it');
  await page.click('[data-action="cpu-after-loss"]');
  await waitStatus(page, 'done', 120_000);
  assert.equal(await page.getAttribute('[data-backend]', 'data-backend'), 'cpu');
  assert.match(page.url(), /backend=cpu/);
  assert.equal(await page.locator('.notices .gpu-lost').count(), 0);
  assert.equal(await metric(page, 'step'), 40);
  assert.match(await page.textContent('.note'), new RegExp(`Resumed from this run's checkpoint at step ${at}`));
  const full = await metric(page, 'val_loss_full');
  assert.ok(full < 3.2, `the whole held-out text after 40 Muon steps, ${at} of them on the GPU: ${full}`);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('auto picks the CPU over a software WebGPU adapter, and says why', { timeout: 60_000 }, async () => {
  // This Chromium's only adapter is SwiftShader: `choose` (src/backend.rs) rules a
  // software adapter out before it looks at the model's size, so the reason is
  // that one, not "tiny" and not "not available" (which would mean no adapter at all).
  const page = await open('#lab=perceptron&backend=auto');
  await page.waitForSelector('[data-backend="cpu"]', { timeout: 30_000 });
  const why = await page.textContent('header .why');
  assert.match(why, /^ — Auto: the WebGPU adapter is .+, a software renderer, so the CPU is faster\.( \(\d+ threads\))?$/, why);
  await page.close();
});

test('the same CPU link gives the same loss curve', { timeout: 120_000 }, async () => {
  const link = '#lab=perceptron&gate=xor&model=mlp&seed=7&steps=150&lr=0.05&backend=cpu&run=1';
  const losses = [];
  for (let i = 0; i < 2; i++) {
    const page = await open(link);
    await waitStatus(page, 'done', 60_000);
    losses.push(await page.textContent('[data-metric="loss"]'));
    losses.push(await page.textContent('figure:has([data-chart="loss"]) figcaption'));
    await page.close();
  }
  assert.equal(losses[0], losses[2]);
  assert.equal(losses[1], losses[3]);
});

test('a click is answered within 100 ms while a model trains', { timeout: 120_000 }, async () => {
  const page = await open('#lab=perceptron&gate=xor&model=mlp&steps=100000&backend=cpu&run=1');
  await waitStatus(page, 'running', 30_000);
  await page.waitForFunction(() => Number(document.querySelector('[data-metric="step"]')?.textContent) > 50);
  // Long tasks on the page's thread while training goes on.
  await page.evaluate(() => {
    window.__long = [];
    new PerformanceObserver((l) => window.__long.push(...l.getEntries().map((e) => e.duration))).observe({ type: 'longtask' });
  });
  await page.waitForTimeout(2000);
  const delays = [];
  for (let i = 0; i < 5; i++) {
    // From the click to the next painted frame, measured in the page.
    delays.push(await page.evaluate(() => new Promise((resolve) => {
      const t0 = performance.now();
      const pause = document.querySelector('[data-action="pause"]');
      const run = document.querySelector('[data-action="run"]');
      (document.querySelector('main').dataset.status === 'running' ? pause : run).click();
      requestAnimationFrame(() => resolve(performance.now() - t0));
    })));
    await page.waitForTimeout(300);
  }
  const long = await page.evaluate(() => window.__long);
  console.log(`click-to-frame ms: ${delays.map((d) => d.toFixed(1)).join(', ')}; long tasks: ${long.length}`);
  assert.ok(Math.max(...delays) < 100, `slowest click took ${Math.max(...delays)} ms`);
  assert.ok(long.every((d) => d < 100), `long tasks on the page thread: ${long}`);
  // It really trained meanwhile, and the pause took.
  await page.click('[data-action="pause"]');
  await waitStatus(page, 'paused', 1000);
  const a = await metric(page, 'step');
  await page.waitForTimeout(500);
  assert.equal(await metric(page, 'step'), a, 'paused means no more steps');
  assert.ok(a > 100);
  await page.close();
});

test('a hostile link shows a notice, runs no script, and the page keeps working', { timeout: 60_000 }, async () => {
  const evil = [
    'lab=perceptron',
    'gate=' + encodeURIComponent('<img src=x onerror="window.__pwned=1">'),
    'model=' + encodeURIComponent('<script>window.__pwned=2</script>'),
    'lr=NaN', 'steps=-4', 'hidden=1e999', 'seed=abc',
    'backend=' + encodeURIComponent('"><svg onload=window.__pwned=3>'),
    'junk=' + 'A'.repeat(100_000),
  ].join('&');
  const page = await open('#' + evil);
  await page.waitForSelector('.notices p');
  assert.ok((await page.locator('.notices p').count()) >= 3);
  assert.match(await page.textContent('.notices'), /Ignored/);
  await page.waitForTimeout(500);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.locator('main img, main script, main svg, .notices *:not(p)').count(), 0);
  // Bad keys fell back to their defaults, and the link was rewritten clean.
  assert.equal(await page.inputValue('[data-setting="gate"]'), 'and');
  assert.equal(await page.inputValue('[data-setting="lr"]'), '0.1');
  assert.ok((await page.evaluate(() => location.hash.length)) < 200);
  await page.selectOption('[data-setting="backend"]', 'cpu');
  await page.click('[data-action="run"]');
  await waitStatus(page, 'done', 30_000);
  assert.equal(await metric(page, 'accuracy'), 1, 'the default AND perceptron learns');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('an unknown lab falls back to Day 1 with a notice', { timeout: 30_000 }, async () => {
  const page = await open('#lab=nope');
  await page.waitForSelector('.notices p');
  assert.equal(await page.getAttribute('main', 'data-lab'), 'perceptron');
  await page.close();
});

/**
 * The catalog as the CLI prints it (`reasonlab list`, src/cli.rs): every lab's
 * id in course order and whether it is built. `cargo test` builds the binary,
 * and scripts/test.sh runs that before these tests.
 */
function catalog() {
  const bin = path.join(process.env.CARGO_TARGET_DIR ?? 'target', 'debug', 'reasonlab');
  if (!fs.existsSync(bin)) assert.fail(`${bin} is missing: run \`cargo test\` (scripts/test.sh does) or \`cargo build\` first`);
  const labs = execFileSync(bin, ['list'], { encoding: 'utf8' }).trimEnd().split('\n').map((line) => {
    const m = line.match(/^day\s+\d+\s+week\s+\d\s+(\S+)\s.*\s(ready|not built yet)$/);
    assert.ok(m, `unexpected line from \`reasonlab list\`: ${line}`);
    return { id: m[1], ready: m[2] === 'ready' };
  });
  assert.equal(labs.length, 30, 'the CLI lists the 30 labs');
  return labs;
}

test('the course map lists 30 labs over 4 weeks; any unbuilt ones are greyed', { timeout: 30_000 }, async () => {
  const labs = catalog();
  const page = await open('');
  await page.setViewportSize({ width: 1280, height: 900 });
  // The landing page (Day 1, the perceptron) warns of nothing: its `model`
  // setting picks an architecture, and it takes no kept model, so it shows
  // no model list (labs declare what they take).
  await page.waitForSelector('[data-metric="step"]', { timeout: 30_000 });
  assert.equal(await page.locator('.notices > *').count(), 0, await page.textContent('.notices'));
  assert.equal(await page.locator('[data-checkpoints], table[data-models]').count(), 0, 'no model list on Day 1');
  assert.equal(await page.locator('.course-map .week').count(), 4);
  assert.equal(await page.locator('.course-map li').count(), 30);
  const ids = await page.$$eval('.course-map li', (lis) => lis.map((li) => li.dataset.lab));
  assert.equal(ids[0], 'perceptron');
  assert.equal(ids[29], 'report');
  assert.deepEqual(ids, labs.map((l) => l.id), 'the map lists the catalog in order');
  // Built and unbuilt labs as the catalog has them, however many are built by now.
  const ready = await page.$$eval('.course-map li.ready', (lis) => lis.map((li) => li.dataset.lab));
  const soon = await page.$$eval('.course-map li.soon[aria-disabled="true"]', (lis) => lis.map((li) => li.dataset.lab));
  assert.deepEqual(ready, labs.filter((l) => l.ready).map((l) => l.id), 'built labs');
  assert.deepEqual(soon, labs.filter((l) => !l.ready).map((l) => l.id), 'labs still to come are greyed');
  assert.equal(ready.length + soon.length, 30);
  assert.equal(await page.locator('.course-map li.ready a').count(), ready.length, 'every built lab is a link');
  assert.equal(await page.locator('.course-map li.soon a').count(), 0, 'unbuilt labs are not links');
  const unbuilt = labs.filter((l) => !l.ready);
  if (unbuilt.length > 0) {
    await page.goto(BASE + `#lab=${unbuilt.at(-1).id}`);
    await page.waitForSelector('main p.soon');
    assert.equal(await page.locator('main [data-action="run"]').count(), 0);
  }
  await page.close();
});

test('on a phone (390 × 844) every lab fits the width, shows its title on the first screen and Run by the second; the map is a menu', { timeout: 180_000 }, async () => {
  const page = await open('');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForSelector('[data-metric="step"]', { timeout: 30_000 });
  assert.equal(await page.locator('.notices > *').count(), 0, 'the landing page warns of nothing');
  assert.equal(await page.isVisible('.course-map'), false, 'the map is folded');
  for (const { id } of catalog()) {
    await page.goto(BASE + `#lab=${id}&backend=cpu`);
    await page.waitForFunction((id) => document.querySelector('main#lab')?.dataset.lab === id && document.querySelector('main h2'), id).catch(async (e) => { console.log('state at the timeout:', id, page.url(), await page.evaluate(() => document.querySelector('main#lab')?.dataset.lab), await page.textContent('.notices'), page.errors); throw e; });
    await page.waitForTimeout(100);
    const m = await page.evaluate(() => ({
      width: document.documentElement.scrollWidth,
      title: document.querySelector('main h2').getBoundingClientRect().bottom + scrollY,
      run: document.querySelector('[data-action="run"]').getBoundingClientRect().bottom + scrollY,
    }));
    assert.ok(m.width <= 390, `${id}: the page is ${m.width} px wide at 390`);
    assert.ok(m.title <= 844, `${id}: its title ends at ${m.title} px`);
    assert.ok(m.run <= 2 * 844, `${id}: Run ends at ${m.run} px`);
  }
  // The menu opens, and a day chosen in it folds it and opens that lab.
  await page.click('.map-toggle');
  assert.equal(await page.getAttribute('.map-toggle', 'aria-expanded'), 'true');
  await page.click('.course-map a[href="#lab=mnist"]');
  await page.waitForSelector('main[data-lab="mnist"]');
  assert.equal(await page.isVisible('.course-map'), false);
  // A finger draws on the digit pad (pointer events of type touch).
  const pad = await page.$('canvas[data-chart="sketch-pad"]');
  await pad.scrollIntoViewIfNeeded();
  const box = await pad.boundingBox();
  await page.evaluate(({ x, y, w }) => {
    const c = document.querySelector('canvas[data-chart="sketch-pad"]');
    const at = (type, k) => c.dispatchEvent(new PointerEvent(type, { pointerId: 7, pointerType: 'touch', isPrimary: true, bubbles: true, clientX: x + w * (0.3 + 0.04 * k), clientY: y + w * (0.2 + 0.05 * k) }));
    at('pointerdown', 0);
    for (let k = 1; k < 10; k++) at('pointermove', k);
    at('pointerup', 10);
  }, { x: box.x, y: box.y, w: box.width });
  assert.ok((await page.evaluate(() => {
    const c = document.querySelector('canvas[data-chart="sketch-pad"]');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] > 128) n++;
    return n;
  })) > 100, 'the stroke is on the pad');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('settings: a long list shows its basic ones, the rest under Advanced, which a link that sets one opens', { timeout: 30_000 }, async () => {
  const page = await open('#lab=cot&backend=cpu');
  const shown = await page.$$eval('.controls [data-setting]', (all) => all.filter((e) => e.checkVisibility()).map((e) => e.dataset.setting));
  assert.deepEqual(shown, ['model', 'task', 'level', 'layers', 'width', 'steps', 'backend']);
  assert.equal(await page.getAttribute('details.advanced', 'open'), null);
  assert.ok((await page.locator('details.advanced [data-setting]').count()) >= 15);
  // Presets stay on top; a link that sets an advanced setting shows it.
  assert.ok(await page.isVisible('[data-preset]'));
  await page.goto(BASE + '#lab=cot&lr=0.01&backend=cpu');
  await page.waitForFunction(() => document.querySelector('details.advanced')?.open);
  assert.ok(await page.isVisible('[data-setting="lr"]'));
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('axe-core finds no serious or critical violation on any lab', { timeout: 180_000 }, async () => {
  const axe = fs.readFileSync(path.join('node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  const page = await open('#lab=perceptron');
  // Injected through the DevTools protocol: the page's own policy allows no inline script.
  await page.evaluate(axe);
  const found = [];
  for (const { id } of catalog()) {
    await page.goto(BASE + `#lab=${id}&backend=cpu`);
    await page.waitForFunction((id) => document.querySelector('main#lab')?.dataset.lab === id && document.querySelector('main h2'), id);
    await page.waitForTimeout(200);
    const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    for (const v of result.violations.filter((v) => ['serious', 'critical'].includes(v.impact))) {
      found.push(`${id}: ${v.id} (${v.impact}) at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
    }
  }
  assert.deepEqual(found, []);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('keyboard: Space runs and pauses, S steps', { timeout: 60_000 }, async () => {
  const page = await open('#lab=perceptron&gate=or&steps=100000&backend=cpu');
  await page.waitForSelector('[data-metric="step"]');
  await page.keyboard.press('s');
  await page.waitForFunction(() => document.querySelector('[data-metric="step"]').textContent === '1');
  await page.keyboard.press(' ');
  await waitStatus(page, 'running', 5000);
  await page.keyboard.press(' ');
  await waitStatus(page, 'paused', 5000);
  // Step, then Run at once: the worker's answer to the Step must not undo the Run.
  for (let i = 0; i < 5; i++) {
    await page.keyboard.press('s');
    await page.keyboard.press(' ');
    await waitStatus(page, 'running', 5000);
    await page.waitForTimeout(300);
    assert.equal(await page.getAttribute('main', 'data-status'), 'running', `round ${i}`);
    await page.keyboard.press(' ');
    await waitStatus(page, 'paused', 5000);
  }
  await page.close();
});

test('the sampling benchmark page writes batches with the KV cache on the CPU worker', { timeout: 120_000 }, async () => {
  const rates = {};
  for (const batch of [1, 16]) {
    const page = await open(`#lab=bench-sample&batch=${batch}&backend=cpu&run=1`);
    await waitStatus(page, 'done', 90_000);
    assert.equal(await metric(page, 'step'), 6);
    rates[batch] = await metric(page, 'tokens_per_sec');
    assert.ok((await inked(page, 'tokens_per_sec')) > 0.01, 'the repetitions are drawn');
    assert.equal(await page.locator('.course-map li[data-lab="bench-sample"]').count(), 0, 'the bench stays off the course map');
    assert.deepEqual(page.errors, []);
    await page.close();
  }
  console.log(`sampling on the CPU worker: ${rates[1].toFixed(0)} new tokens/s at batch 1, ${rates[16].toFixed(0)} at batch 16`);
  assert.ok(rates[16] > 1.3 * rates[1], JSON.stringify(rates));
});

test('the GPT benchmark page completes on WebGPU and prints its figures', { timeout: 600_000 }, async () => {
  // SwiftShader takes seconds a step: a 20 s budget gives the spec's reduced plan.
  const page = await open('#lab=bench&size=s&budget=20&backend=webgpu&run=1');
  await waitStatus(page, 'done', 540_000);
  assert.equal(await page.getAttribute('[data-backend]', 'data-backend'), 'webgpu');
  const stepMs = await metric(page, 'step_ms');
  console.log(`GPT-S on SwiftShader WebGPU: step_ms ${stepMs}, first_step_ms ${await metric(page, 'first_step_ms')}`);
  assert.ok(stepMs > 0 && Number.isFinite(stepMs));
  assert.equal(await metric(page, 'params'), 112512);
  assert.ok((await metric(page, 'tokens_per_sec')) > 0);
  assert.equal(await page.locator('.course-map li[data-lab="bench"]').count(), 0, 'the bench stays off the course map');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a tiny lab loads only the small CPU worker; asking for WebGPU switches to the other one', { timeout: 120_000 }, async () => {
  const page = await browser.newPage();
  const fetched = [];
  page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  await page.goto(BASE + '#lab=perceptron&gate=and&steps=30&backend=auto&run=1');
  await waitStatus(page, 'done', 60_000);
  assert.equal(await page.getAttribute('main', 'data-worker'), 'cpu');
  assert.equal(await metric(page, 'accuracy'), 1);
  // The WebGPU worker's module is never fetched for it.
  assert.ok(!fetched.some((f) => f.endsWith('/worker_bg.wasm')), 'no WebGPU module for a CPU lab');
  // What a visit downloads, gzipped: every module within 3 MB, a CPU worker
  // within 1.65 MB. (It was under half the WebGPU worker until weeks 3–4 added
  // the model files, the store and five labs: 1.44 MB against 2.81 MB; Days
  // 27 and 29 took the threaded one to 1.52 MB, the WebGPU one 2.86 MB. Issue
  // 32's records of training questions, intervals, controls and pass@k took
  // the threaded one from 1,579,119 to 1,606,219 bytes, +1.7 %: the cap is
  // now 1.65 MB.)
  const gz = (f) => zlib.gzipSync(fs.readFileSync(path.join('dist', f)), { level: 9 }).length;
  const sizes = Object.fromEntries(['worker_cpu_bg.wasm', 'worker_threads_bg.wasm', 'worker_bg.wasm'].map((f) => [f, gz(f)]));
  for (const [f, bytes] of Object.entries(sizes)) assert.ok(bytes <= 3e6, `${f}: ${bytes} B gzipped`);
  for (const cpu of ['worker_cpu_bg.wasm', 'worker_threads_bg.wasm']) {
    assert.ok(sizes[cpu] <= 1.65e6, JSON.stringify(sizes));
  }
  // What a visit that trains on the CPU with threads transfers where the host
  // sends the published folder's brotli copies (scripts/publish.sh, quality 11): at most 1.5 MB.
  const visit = ['index.html', 'offline.js', 'worker_threads_loader.js', 'worker_threads.js', 'worker_threads_bg.wasm', 'thread.js',
    ...fs.readdirSync('dist').filter((f) => /^(app-|start-|style-).*\.(js|wasm|css)$/.test(f))];
  const brotli = (body) => zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length } }).length;
  const br = visit.map((f) => brotli(fs.readFileSync(path.join('dist', f)))).reduce((a, b) => a + b);
  assert.ok(br <= 1.5e6, `a CPU visit is ${br} B in brotli`);
  await page.selectOption('[data-setting="backend"]', 'webgpu');
  await page.waitForSelector('main[data-worker="webgpu"]', { timeout: 10_000 });
  await page.waitForSelector('[data-backend="webgpu"]', { timeout: 60_000 });
  assert.ok(fetched.some((f) => f.endsWith('/worker_bg.wasm')), `fetched: ${fetched}`);
  assert.match(page.url(), /backend=webgpu/);
  // A large model on auto asks about the adapter first: SwiftShader is software, so the small worker again.
  await page.goto(BASE + '#lab=bench&size=s&backend=auto');
  await page.waitForSelector('[data-backend="cpu"]', { timeout: 60_000 });
  assert.equal(await page.getAttribute('main', 'data-worker'), 'cpu');
  assert.match(await page.textContent('header .why'), /software renderer/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the CPU worker trains on threads; published under a sub-path of a host that sends no headers, the service worker isolates the page, keeps it offline and offers a new build', { timeout: 480_000 }, async () => {
  const link = '#lab=bench&size=s&budget=10&backend=cpu&run=1';
  // The test server sends COOP/COEP: shared memory, so the worker with threads.
  const page = await open(link);
  await waitStatus(page, 'done', 240_000);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const threads = new RegExp(`\\(${Math.min(cores, 8)} threads\\)`);
  assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
  const why = await page.textContent('header .why');
  if (cores > 1) assert.match(why, threads, why);
  const threaded = await metric(page, 'step_ms');
  assert.ok(threaded > 0 && Number.isFinite(threaded));
  assert.equal(await metric(page, 'params'), 112512);
  assert.deepEqual(page.errors, []);
  await page.close();

  // The published folder on a host that sends no COOP/COEP and no CSP, under /course/.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reasonlab-published-'));
  fs.cpSync('dist', dir, { recursive: true });
  const at = `http://127.0.0.1:${PORT + 1}/course/`;
  const host = (root) => startServer(root, PORT + 1, { isolated: false, csp: false, prefix: '/course/' });
  const stop = (server) => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); });
  let server = await host(dir);
  let dir2;
  try {
    // The service worker's own CSP header: a refusal shows in the console.
    const refused = (page) => page.on('console', (m) => /Refused to .*Content Security Policy/.test(m.text()) && page.errors.push(m.text()));
    const pub = await browser.newPage();
    pub.errors = [];
    pub.on('pageerror', (e) => pub.errors.push(String(e)));
    refused(pub);
    const fetched = [];
    pub.on('request', (r) => fetched.push(new URL(r.url()).pathname));
    await pub.goto(at + link);
    // Not isolated on the first load: the service worker takes over, the page reloads once, and is.
    await pub.waitForFunction(() => self.crossOriginIsolated, null, { timeout: 60_000 });
    await pub.waitForSelector('main[data-status="done"]', { timeout: 240_000 });
    if (cores > 1) assert.match(await pub.textContent('header .why'), threads);
    assert.ok(fetched.includes('/course/worker_threads_bg.wasm'), `fetched: ${fetched}`);
    assert.ok(await metric(pub, 'step_ms') > 0);
    // The link to share is the page's own address, sub-path included.
    assert.ok((await pub.inputValue('input.link')).startsWith(at + '#lab=bench&size=s'));
    // One button keeps every lab's data, with a progress bar; the map marks the labs.
    await pub.click('[data-action="offline-all"]');
    await pub.waitForFunction(() => /^30 labs work offline in this browser; (\d+) of \1 data files are kept\.$/.test(document.querySelector('.offline-status').textContent), null, { timeout: 120_000 });
    assert.equal(await pub.locator('nav.course-map li[data-offline]').count(), 30);
    assert.deepEqual(pub.errors, []);
    await pub.close();

    // The server stops: the lab's link still loads, isolated, and trains, from the cache.
    await stop(server);
    const off = await browser.newPage();
    off.errors = [];
    off.on('pageerror', (e) => off.errors.push(String(e)));
    refused(off);
    await off.goto(at + '#lab=bench&size=s&budget=5&backend=cpu&run=1');
    await off.waitForSelector('main[data-status="done"]', { timeout: 240_000 });
    assert.equal(await off.evaluate(() => self.crossOriginIsolated), true);
    assert.ok(await metric(off, 'step_ms') > 0);
    assert.equal(await off.locator('nav.course-map li[data-lab="mnist"][data-offline]').count(), 1);

    // A new build served later: the page offers it, and a click brings it.
    dir2 = fs.mkdtempSync(path.join(os.tmpdir(), 'reasonlab-published-2-'));
    fs.cpSync(dir, dir2, { recursive: true });
    fs.appendFileSync(path.join(dir2, 'thread.js'), '// a new build\n');
    execFileSync('node', ['scripts/finish-site.mjs', dir2]);
    const version = (root) => fs.readFileSync(path.join(root, 'sw.js'), 'utf8').match(/const VERSION = '(\w+)'/)[1];
    assert.notEqual(version(dir2), version(dir));
    server = await host(dir2);
    await off.reload();
    await off.waitForSelector('.update button', { timeout: 60_000 });
    assert.match(await off.textContent('.update'), /A new version of ReasonLab is ready/);
    await Promise.all([off.waitForEvent('load'), off.click('.update button')]);
    await off.waitForFunction((v) => caches.keys().then((k) => k.length === 1 && k[0].endsWith(v)), version(dir2), { timeout: 30_000 });
    assert.deepEqual(off.errors, []);
    await off.close();
  } finally {
    await stop(server);
    for (const d of [dir, dir2]) if (d) fs.rmSync(d, { recursive: true, force: true });
  }
});

test('where the module with threads cannot load, the page trains on the single-thread worker', { timeout: 120_000 }, async () => {
  // A copy of the site without that module, served cross-origin isolated.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reasonlab-nothreads-'));
  fs.cpSync('dist', dir, { recursive: true, filter: (f) => !f.endsWith('worker_threads_bg.wasm') });
  const broken = await startServer(dir, PORT + 2);
  try {
    const page = await browser.newPage();
    const fetched = [];
    page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
    await page.goto(`http://127.0.0.1:${PORT + 2}/#lab=perceptron&gate=xor&model=mlp&seed=1&steps=100&backend=cpu&run=1`);
    await page.waitForSelector('main[data-status="done"]', { timeout: 60_000 });
    assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
    assert.ok(fetched.some((f) => f.endsWith('/worker_cpu_bg.wasm')), `fetched: ${fetched}`);
    assert.equal(await metric(page, 'accuracy'), 1);
    await page.close();
  } finally {
    broken.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('without WebGPU, backend=webgpu falls back to the CPU with a notice', { timeout: 120_000 }, async () => {
  // A second Chromium without --enable-unsafe-webgpu: no adapter is granted.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reasonlab-nogpu-'));
  const plain = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true,
    args: FLAGS.filter((f) => f !== '--enable-unsafe-webgpu').concat(['--disable-gpu']),
  });
  try {
    const page = await plain.newPage();
    await page.goto(BASE + '#lab=perceptron&gate=or&steps=50&backend=webgpu&run=1');
    await page.waitForSelector('main[data-status="done"]', { timeout: 60_000 });
    assert.equal(await page.getAttribute('[data-backend]', 'data-backend'), 'cpu');
    assert.match(await page.textContent('.notices'), /WebGPU (is not available|could not start)/);
    assert.equal(await metric(page, 'accuracy'), 1);
  } finally {
    await plain.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * Runs in the page before its scripts: records every state the data progress
 * bar shows (its text, value and max) in `window.__progress`, so that a load
 * too fast to be seen from outside is still checked.
 */
function recordProgress() {
  window.__progress = [];
  new MutationObserver(() => {
    const text = document.querySelector('.progress span')?.textContent ?? '';
    const bar = document.querySelector('.progress progress');
    if (!bar || !/^Loading data\//.test(text)) return;
    const state = { text, value: Number(bar.getAttribute('value')), max: Number(bar.getAttribute('max')) };
    const last = window.__progress.at(-1);
    if (last?.text !== text || last.value !== state.value || last.max !== state.max) window.__progress.push(state);
  }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
}

test('MNIST: a short run loads the data with progress, trains, scores the 10,000 test digits', { timeout: 300_000 }, async () => {
  const page = await open('#lab=mnist&hidden=64&epochs=1&train_size=12000&backend=cpu&seed=3&run=1', { init: recordProgress });
  await waitStatus(page, 'done', 240_000);
  // Each file's bar showed, and its last state is the whole file.
  const progress = await page.evaluate(() => window.__progress);
  const last = new Map(progress.map((p) => [p.text.slice(0, p.text.indexOf(':')), p]));
  assert.ok([...last.keys()].some((label) => /^Loading data\/mnist\//.test(label)), `no MNIST progress was shown: ${JSON.stringify(progress)}`);
  for (const [label, p] of last) assert.ok(p.max > 0 && p.value === p.max, `${label} ended at ${p.value} of ${p.max}`);
  const acc = await metric(page, 'test_accuracy');
  assert.ok(acc >= 0.9 && acc <= 1, `test_accuracy ${acc}`);
  assert.equal(await metric(page, 'step'), 188);
  assert.ok((await metric(page, 'train_loss')) < 0.6);
  assert.match(await page.textContent('figure:has([data-chart="confusion"]) figcaption'), /of 10000 test digits on the diagonal/);
  assert.match(await page.textContent('figure:has([data-chart="misclassified"]) figcaption'), /true → predicted/);

  // Draw a "1" on the pad: the ten probabilities appear, and Clear empties them.
  await page.locator('[data-chart="sketch-pad"]').scrollIntoViewIfNeeded();
  const pad = await page.locator('[data-chart="sketch-pad"]').boundingBox();
  await page.mouse.move(pad.x + pad.width * 0.5, pad.y + pad.height * 0.15);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(pad.x + pad.width * 0.5, pad.y + pad.height * (0.15 + 0.07 * i));
  await page.mouse.up();
  const caption = 'figure:has([data-chart="sketch-probs"]) figcaption';
  await page.waitForFunction((sel) => /reads a \d/.test(document.querySelector(sel).textContent), caption, { timeout: 30_000 });
  const text = await page.textContent(caption);
  const shares = [...text.matchAll(/\d: ([\d.]+)%/g)].map((m) => Number(m[1]));
  assert.equal(shares.length, 10, text);
  assert.ok(Math.abs(shares.reduce((a, b) => a + b, 0) - 100) < 1, text);
  await page.click('[data-action="clear-sketch"]');
  await page.waitForFunction((sel) => /Draw a digit/.test(document.querySelector(sel).textContent), caption, { timeout: 10_000 });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('backprop: stepping by hand moves the gradients, and the gradient check stays below 1e-3', { timeout: 120_000 }, async () => {
  const page = await open('#lab=backprop&data=xor&hidden=4&lr=0.5&batch=20&steps=300&seed=2&backend=cpu');
  await page.waitForSelector('[data-metric="grad_check_max_rel_err"]', { timeout: 30_000 });
  const caption = 'figure:has([data-chart="gradients"]) figcaption';
  await page.waitForFunction((sel) => /Gradients on the last batch: W1\[0,0\]/.test(document.querySelector(sel).textContent), caption);
  const before = await page.textContent(caption);
  await page.click('[data-action="step"]');
  await page.waitForFunction(() => document.querySelector('[data-metric="step"]').textContent === '1');
  await page.waitForFunction((args) => document.querySelector(args[0]).textContent !== args[1], [caption, before]);
  assert.equal((await page.textContent(caption)).match(/[+-]\d\.\d\de[+-]?\d+/g).length, 22, 'all 22 gradients are listed');
  await page.click('[data-action="run"]');
  await waitStatus(page, 'done', 60_000);
  assert.ok((await metric(page, 'grad_check_max_rel_err')) < 1e-3);
  assert.ok((await metric(page, 'accuracy')) >= 0.9);
  assert.match(await page.textContent('p.note'), /below 10⁻³/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('word2vec: the toy corpus trains, neighbours update live as words are typed, unknown words get a message', { timeout: 180_000 }, async () => {
  const page = await open('#lab=word2vec&corpus=toy&steps=600&seed=1&backend=cpu&run=1');
  await waitStatus(page, 'done', 150_000);
  assert.ok((await metric(page, 'words_per_sec')) > 0);
  assert.ok((await metric(page, 'loss')) < 3.2);
  const caption = 'figure:has([data-chart="neighbours"]) figcaption';
  assert.match(await page.textContent(caption), /king: (queen|prince|princess) /);
  await page.fill('[data-setting="probe"]', 'dog, zebra');
  await page.press('[data-setting="probe"]', 'Enter');
  await page.waitForFunction((sel) => /dog: .*zebra: .*not in the vocabulary/.test(document.querySelector(sel).textContent), caption, { timeout: 15_000 });
  assert.match(await page.evaluate(() => location.hash), /probe=dog%2C%20zebra/);
  assert.equal(await metric(page, 'step'), 600, 'typing a word does not restart training');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('sentiment: one epoch on the real snippets passes 70%, and a typed sentence is read word by word', { timeout: 240_000 }, async () => {
  const page = await open('#lab=sentiment&epochs=1&seed=1&backend=cpu&run=1');
  await waitStatus(page, 'done', 200_000);
  const acc = await metric(page, 'test_accuracy');
  assert.ok(acc >= 0.7 && acc <= 1, `test_accuracy ${acc}`);
  await page.fill('[data-setting="sentence"]', 'A dull, tedious and boring mess.');
  await page.press('[data-setting="sentence"]', 'Enter');
  const caption = 'figure:has([data-chart="verdict"]) figcaption';
  await page.waitForFunction((sel) => /Verdict: rotten/.test(document.querySelector(sel).textContent), caption, { timeout: 15_000 });
  assert.match(await page.textContent(caption), /boring -\d/);
  await page.fill('[data-setting="sentence"]', 'x'.repeat(300) + 'y');
  await page.press('[data-setting="sentence"]', 'Enter');
  assert.match(await page.textContent('.notices'), /has 301 characters; it was cut to the first 300/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('projection: PCA of word vectors while word2vec trains, labels on hover', { timeout: 180_000 }, async () => {
  const page = await open('#lab=projection&source=word2vec&method=pca&points=40&steps=400&seed=1&backend=cpu&run=1');
  await waitStatus(page, 'done', 150_000);
  const ev = await metric(page, 'explained_variance');
  assert.ok(ev > 0 && ev <= 1, `explained_variance ${ev}`);
  const caption = await page.textContent('figure:has([data-chart="scatter"]) figcaption');
  assert.match(caption, /40 points\. PCA: the two components explain/);
  // Sweep the plot with mouse moves until some point's label shows.
  await page.locator('[data-chart="scatter"]').scrollIntoViewIfNeeded();
  const label = await page.evaluate(() => {
    const c = document.querySelector('[data-chart="scatter"]');
    const r = c.getBoundingClientRect();
    for (let y = 0; y < r.height; y += 2) {
      for (let x = 0; x < r.width; x += 2) {
        c.dispatchEvent(new MouseEvent('mousemove', { clientX: r.left + x, clientY: r.top + y, bubbles: true }));
        if (c.getAttribute('data-hover')) return c.getAttribute('data-hover');
      }
    }
    return '';
  });
  assert.match(label, /^[a-z']+$/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('onehot-vs-embed: the report comes from both runs and exports as standalone HTML', { timeout: 300_000 }, async () => {
  const page = await open('#lab=onehot-vs-embed&epochs=1&seed=1&backend=cpu&run=1');
  await waitStatus(page, 'done', 240_000);
  for (const name of ['onehot_test_accuracy', 'embed_test_accuracy']) {
    const acc = await metric(page, name);
    assert.ok(acc >= 0.7 && acc <= 1, `${name} ${acc}`);
  }
  assert.match(await page.textContent('figure:has([data-chart="report"]) figcaption'), /one-hot \(bag of words\) — test accuracy 0\.\d{4}, \d+ parameters/);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-action="export"]')]);
  const file = await download.path();
  const html = fs.readFileSync(file, 'utf8');
  assert.match(html, /^<!doctype html>/);
  assert.match(html, /<th scope="row">averaged embeddings<\/th><td>0\.\d{4}<\/td>/);
  assert.ok((html.match(/<img src="data:image\/png;base64,/g) ?? []).length >= 3, 'the charts are embedded');
  assert.ok(!/<script/i.test(html));
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('MNIST also trains on WebGPU (SwiftShader) and scores the test set there', { timeout: 300_000 }, async () => {
  const page = await open('#lab=mnist&hidden=32&epochs=1&train_size=1280&backend=webgpu&seed=1&run=1');
  await waitStatus(page, 'done', 280_000);
  assert.equal(await page.getAttribute('[data-backend]', 'data-backend'), 'webgpu');
  assert.equal(await metric(page, 'step'), 20);
  const acc = await metric(page, 'test_accuracy');
  assert.ok(acc > 0.5 && acc <= 1, `test_accuracy ${acc} after 20 steps`);
  assert.deepEqual(page.errors, []);
  await page.close();
});

for (const lab of ['rnn', 'lstm']) {
  test(`${lab}: a short run on Shakespeare samples text and reports its losses`, { timeout: 240_000 }, async () => {
    const page = await open(`#lab=${lab}&hidden=32&steps=120&seed=1&backend=cpu&run=1`);
    await waitStatus(page, 'done', 200_000);
    const uniform = Math.log(65);
    for (const name of ['train_loss', 'val_loss']) {
      const v = await metric(page, name);
      assert.ok(v > 0 && v < uniform, `${name} ${v} below a uniform guess ${uniform}`);
    }
    assert.ok((await metric(page, 'chars_per_sec')) > 0);
    assert.match(await page.textContent('figure:has([data-chart="sample"]) figcaption'), /Sample at step 120 .*“.{20,}”/s);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
}

test('rnn: pasted text that is too short gets a message, not a crash', { timeout: 60_000 }, async () => {
  const page = await open('#lab=rnn&corpus=pasted&text=abab&backend=cpu');
  await page.waitForSelector('main[data-status="error"]', { timeout: 30_000 });
  assert.match(await page.textContent('.notices'), /characters long; with sequences of 32 it needs at least 330/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

/** The share of a canvas's pixels that are not white. */
async function inked(page, chart) {
  return page.evaluate((sel) => {
    const c = document.querySelector(sel);
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] < 245 || d[i + 1] < 245 || d[i + 2] < 245) n++;
    return n / (c.width * c.height);
  }, `[data-chart="${chart}"]`);
}

for (const [lab, link, metrics] of [
  ['rnn-vs-lstm', 'max_distance=20&steps=100', ['rnn_accuracy_at_20', 'lstm_accuracy_at_20', 'rnn_accuracy_at_1']],
  ['attention-vs-rnn', 'max_distance=20&steps=60', ['rnn_accuracy_at_20', 'lstm_accuracy_at_20', 'attention_accuracy_at_20']],
]) {
  test(`${lab}: a short run completes and reports accuracy at each distance`, { timeout: 300_000 }, async () => {
    const page = await open(`#lab=${lab}&${link}&seed=1&backend=cpu&run=1`);
    await waitStatus(page, 'done', 280_000);
    for (const name of metrics) {
      const v = await metric(page, name);
      assert.ok(v >= 0 && v <= 1, `${name} ${v}`);
    }
    assert.match(await page.textContent('figure:has([data-chart="distance"]) figcaption'), /rnn \(step \d+\): D=1 \d\.\d\d, D=5/);
    assert.ok((await inked(page, 'distance')) > 0.01);
    if (lab === 'attention-vs-rnn') {
      assert.match(await page.textContent('figure:has([data-chart="report"]) figcaption'), /attention, accuracy at D = 1 \d\.\d{3}.*sequential ops per sequence 1,/);
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-action="export"]')]);
      const html = fs.readFileSync(await download.path(), 'utf8');
      assert.match(html, /<th scope="row">attention<\/th><td>\d\.\d{3}<\/td>/);
      assert.ok(!/<script/i.test(html));
    } else {
      assert.match(await page.textContent('figure:has([data-chart="gradflow"]) figcaption'), /rnn keeps \d\.\de-\d+ of it at k=10 .*lstm keeps/);
    }
    assert.deepEqual(page.errors, []);
    await page.close();
  });
}

for (const [lab, link] of [
  ['attention', 'text=hello&steps=200'],
  ['attention-map', 'text=sentence&steps=200'],
  ['multihead', 'text=sentence&steps=200'],
]) {
  test(`${lab}: a short run completes, reports loss and accuracy, and draws its picture`, { timeout: 240_000 }, async () => {
    const page = await open(`#lab=${lab}&${link}&seed=1&backend=cpu&run=1`);
    await waitStatus(page, 'done', 200_000);
    assert.ok((await metric(page, 'loss')) > 0);
    const acc = await metric(page, 'accuracy');
    assert.ok(acc > 0.2 && acc <= 1, `accuracy ${acc}`);
    const chart = lab === 'attention' ? 'matrices' : 'heatmap';
    assert.ok((await inked(page, chart)) > 0.02, `the ${chart} canvas has content`);
    const caption = await page.textContent(`figure:has([data-chart="${chart}"]) figcaption`);
    assert.match(caption, lab === 'attention' ? /Q = X·W_q \[5×16\].*scores = Q·Kᵀ\/√d \[5×5\].*weights/ : /Queries down, keys across, on “sentence”.*head 1 strongest: s→/);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
}

test('attention-map: typing new text redraws the heatmap live; other characters get a message', { timeout: 120_000 }, async () => {
  const page = await open('#lab=attention-map&steps=100&seed=1&backend=cpu&run=1');
  await waitStatus(page, 'done', 100_000);
  await page.fill('[data-setting="text"]', 'Ab 9!');
  await page.press('[data-setting="text"]', 'Enter');
  const caption = 'figure:has([data-chart="heatmap"]) figcaption';
  await page.waitForFunction((sel) => /on “ab______”/.test(document.querySelector(sel).textContent), caption, { timeout: 30_000 });
  assert.match(await page.textContent('.note'), /not in the vocabulary/);
  assert.match(page.url(), /text=Ab/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('rnn: a very long pasted text is cut to what a link carries, with a notice, and trains', { timeout: 120_000 }, async () => {
  const page = await open('#lab=rnn&corpus=pasted&hidden=16&steps=20&seed=1&backend=cpu');
  await waitStatus(page, 'error', 30_000); // the empty default text is too short
  const long = 'to be or not to be, that is the question. '.repeat(130); // 5,460 characters
  await page.fill('[data-setting="text"]', long);
  await page.press('[data-setting="text"]', 'Enter');
  await page.waitForFunction(() => /cut to the first 4000/.test(document.querySelector('.notices').textContent), null, { timeout: 10_000 });
  await page.click('[data-action="run"]');
  await waitStatus(page, 'done', 60_000);
  assert.ok((await metric(page, 'val_loss')) > 0);
  assert.equal((await page.inputValue('[data-setting="text"]')).length, 4000);
  assert.deepEqual(page.errors, []);
  await page.close();
});

// Last: every page above ran under the site's CSP, whose header asks the
// browser to report each refusal to the test server.
test('no page of the suite broke the CSP; an injected inline script is refused and reported', { timeout: 60_000 }, async () => {
  assert.deepEqual(server.cspReports, [], 'CSP violations reported during the suite');
  const page = await browser.newPage();
  await page.goto(BASE + '#lab=perceptron');
  await page.waitForSelector('main#lab');
  assert.match(await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content'), /script-src 'self' 'wasm-unsafe-eval'.*object-src 'none'.*base-uri 'none'/);
  await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.__ran = 1';
    document.head.append(script);
  });
  for (let i = 0; i < 100 && server.cspReports.length === 0; i++) await page.waitForTimeout(100);
  assert.equal(await page.evaluate(() => window.__ran), undefined, 'the inline script did not run');
  assert.ok(server.cspReports.some((r) => /script-src/.test(r)), `reports: ${server.cspReports}`);
  await page.close();
});
