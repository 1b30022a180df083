// The static server (scripts/static-server.mjs) against bad requests: plain
// node, no browser. It runs in its own process, as scripts/serve.sh starts it,
// so a request that throws would kill it. A bad path gets a 400 or a 404, the
// server keeps serving, and only files under its root are ever sent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('../../scripts/static-server.mjs', import.meta.url));
const SECRET = 'the secret next door';
let dir, child, port, exited = null, stderr = '';

before(async () => {
  // <tmp>/dist is served; <tmp>/dist-secret sits beside it, its name starting with "dist".
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reasonlab-server-'));
  fs.mkdirSync(path.join(dir, 'dist', 'sub'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'dist', 'index.html'), '<!doctype html><title>ok</title>');
  fs.writeFileSync(path.join(dir, 'dist', 'sub', 'a b.txt'), 'spaced');
  fs.writeFileSync(path.join(dir, 'dist', 'm.js'), 'plain');
  fs.writeFileSync(path.join(dir, 'dist', 'm.js.br'), 'brotli');
  fs.mkdirSync(path.join(dir, 'dist-secret'));
  fs.writeFileSync(path.join(dir, 'dist-secret', 'x.txt'), SECRET);
  fs.writeFileSync(path.join(dir, 'outside.txt'), SECRET);
  fs.symlinkSync(path.join(dir, 'dist-secret', 'x.txt'), path.join(dir, 'dist', 'link.txt'));
  // Port 0: the system picks a free one, which the server prints.
  child = spawn(process.execPath, [SERVER, path.join(dir, 'dist'), '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr.on('data', (d) => { stderr += d; });
  child.on('exit', (code, signal) => { exited = `exited with ${signal ?? code}`; });
  port = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/on http:\/\/127\.0\.0\.1:(\d+)\//);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', () => reject(new Error(`the server did not start: ${stderr}`)));
    setTimeout(() => reject(new Error(`the server printed no port: ${out} ${stderr}`)), 10_000).unref();
  });
});

after(() => {
  child?.kill();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** GET with `rawPath` sent as it is (node does not normalise it); never rejects. */
function get(rawPath, { headers = {}, method = 'GET', body } = {}) {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, agent: false, headers, method }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', (e) => resolve({ status: 0, body: '', error: String(e) }));
    });
    req.setTimeout(5000, () => req.destroy(new Error('timed out')));
    req.on('error', (e) => resolve({ status: 0, body: '', error: String(e) }));
    req.end(body);
  });
}

async function assertStillServing() {
  const res = await get('/');
  assert.equal(exited, null, `the server died: ${stderr}`);
  assert.equal(res.status, 200, `the server stopped answering: ${res.error ?? res.status}`);
  assert.match(res.body, /<title>ok<\/title>/);
}

test('a malformed escape gets a 400 and the server keeps serving', async () => {
  const res = await get('/%E0%A4%A');
  assert.equal(res.status, 400, res.error ?? res.body);
  await assertStillServing();
});

test('nothing beside the root is served, however the path is spelt', async () => {
  for (const bad of [
    '/..%2Fdist-secret%2Fx.txt',
    '/../dist-secret/x.txt',
    '/%2E%2E/dist-secret/x.txt',
    '/%2e%2e%2fdist-secret%2fx.txt',
    '/..%5Cdist-secret%5Cx.txt',
    '/sub/..%2F..%2Foutside.txt',
    '/..%2Foutside.txt',
    '/link.txt',
  ]) {
    const res = await get(bad);
    assert.ok([400, 404].includes(res.status), `${bad}: ${res.status} ${res.error ?? ''}`);
    assert.ok(!res.body.includes(SECRET), `${bad} returned the secret`);
  }
  await assertStillServing();
});

test('a NUL byte gets a 400, not a crash', async () => {
  for (const bad of ['/index.html%00.txt', '/%00']) {
    const res = await get(bad);
    assert.equal(res.status, 400, `${bad}: ${res.status} ${res.error ?? ''}`);
  }
  await assertStillServing();
});

test('good paths still work: the index, escapes, a query, a missing file', async () => {
  await assertStillServing();
  const index = await get('/index.html?x=1');
  assert.equal(index.status, 200);
  assert.equal(index.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(index.headers['cross-origin-opener-policy'], 'same-origin');
  assert.equal((await get('/sub/a%20b.txt')).body, 'spaced');
  assert.equal((await get('/sub/../index.html')).status, 200);
  assert.equal((await get('/nope.js')).status, 404);
  assert.equal((await get('/sub')).status, 404, 'a folder without index.html');
  await assertStillServing();
});

test('the build\'s compressed copy goes to a browser that takes it; the CSP header reports to the server, which a flood does not hurt', async () => {
  const br = await get('/m.js', { headers: { 'accept-encoding': 'gzip, deflate, br' } });
  assert.equal(br.headers['content-encoding'], 'br');
  assert.equal(br.body, 'brotli');
  const plain = await get('/m.js', { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(plain.body, 'plain');
  const index = await get('/');
  assert.match(index.headers['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval'.*frame-ancestors 'none'; report-uri \/csp-report/);
  const flood = await get('/csp-report', { method: 'POST', body: 'x'.repeat(5_000_000) });
  assert.equal(flood.status, 204, flood.error);
  await assertStillServing();
});
