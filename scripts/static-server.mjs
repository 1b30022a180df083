// A tiny static file server for the built site (dist/), on 127.0.0.1 only.
// Used by scripts/serve.sh and by the browser tests.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.css': 'text/css', '.json': 'application/json',
  '.png': 'image/png', '.svg': 'image/svg+xml', '.txt': 'text/plain; charset=utf-8', '.bin': 'application/octet-stream',
};

// Cross-origin isolation (COOP + COEP) lets the page share memory with its
// workers, which the CPU worker with threads needs; `isolated: false` serves the
// site as a host without those headers would (the single-threaded worker).
const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

/**
 * The file under `base` that a request's URL names, or `null` when the URL is
 * malformed (a broken escape, a NUL byte). A path that leads out of `base`,
 * `..` or an escaped `/` whatever the spelling, gives a path outside it, which
 * the caller answers with a 404.
 */
function fileFor(base, rawUrl) {
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(rawUrl, 'http://127.0.0.1').pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0')) return null;
  return path.resolve(base, '.' + pathname);
}

const inside = (base, file) => file === base || file.startsWith(base + path.sep);

export function startServer(root, port = 8080, { isolated = true } = {}) {
  const base = path.resolve(root);
  const server = http.createServer((req, res) => {
    const fail = (status, text) => res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(405, 'method not allowed');
    const asked = fileFor(base, req.url);
    if (asked === null) return fail(400, 'bad request');
    if (!inside(base, asked)) return fail(404, 'not found');
    // Symbolic links are followed only as far as the root: where a file really is must be under it too.
    let file;
    try {
      file = fs.realpathSync(asked);
      if (fs.statSync(file).isDirectory()) file = fs.realpathSync(path.join(file, 'index.html'));
      if (!inside(fs.realpathSync(base), file) || !fs.statSync(file).isFile()) return fail(404, 'not found');
    } catch {
      return fail(404, 'not found');
    }
    fs.readFile(file, (err, body) => {
      if (err) return fail(404, 'not found');
      res.writeHead(200, {
        'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'content-length': body.length, 'cache-control': 'no-cache',
        ...(isolated ? ISOLATION : {}),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [root = 'dist', port = '8080'] = process.argv.slice(2);
  const server = await startServer(root, Number(port), { isolated: process.env.ISOLATED !== '0' });
  // Port 0 asks the system for a free one: print the one it gave.
  console.log(`serving ${root} on http://127.0.0.1:${server.address().port}/`);
}
