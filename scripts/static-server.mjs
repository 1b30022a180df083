// A tiny static file server for the built site (dist/), on 127.0.0.1 only.
// Used by scripts/serve.sh and by the browser tests.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { CSP } from './site-policy.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.css': 'text/css', '.json': 'application/json',
  '.png': 'image/png', '.svg': 'image/svg+xml', '.txt': 'text/plain; charset=utf-8', '.bin': 'application/octet-stream',
};

// Cross-origin isolation (COOP + COEP) lets the page share memory with its
// workers, which the CPU worker with threads needs; `isolated: false` serves the
// site as a host without those headers would (the service worker then adds
// them, scripts/site/sw.js).
const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

/**
 * The file under `base` that a request's URL names, or `null` when the URL is
 * malformed (a broken escape, a NUL byte); `undefined` outside `prefix`. A path that
 * leads out of `base`, `..` or an escaped `/` whatever the spelling, gives a
 * path outside it, which the caller answers with a 404.
 */
function fileFor(base, rawUrl, prefix) {
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(rawUrl, 'http://127.0.0.1').pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0')) return null;
  if (!pathname.startsWith(prefix)) return undefined;
  return path.resolve(base, '.' + pathname.slice(prefix.length - 1));
}

const inside = (base, file) => file === base || file.startsWith(base + path.sep);

/** The pre-compressed copy of `file` the request accepts (`.br` first), if the build wrote one. */
function encoded(file, accept = '') {
  for (const [ext, name] of [['.br', 'br'], ['.gz', 'gzip']]) {
    if (new RegExp(`\\b${name}\\b`).test(accept) && fs.existsSync(file + ext)) return { file: file + ext, encoding: name };
  }
  return { file, encoding: null };
}

/**
 * Serves `root` on 127.0.0.1:`port`. Options: `isolated` (COOP/COEP, default
 * on), `csp` (the site's Content-Security-Policy header, default on; its
 * violation reports are collected in `server.cspReports`), and `prefix`, the
 * sub-path the site lives under ('/' by default; '/course/' serves it as a
 * host would at https://host/course/).
 */
export function startServer(root, port = 8080, { isolated = true, csp = true, prefix = '/' } = {}) {
  const base = path.resolve(root);
  const reports = [];
  const server = http.createServer((req, res) => {
    const fail = (status, text) => res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
    if (req.method === 'POST' && req.url === `${prefix}csp-report`) {
      // Anyone can post here: a report is kept to 16 kB, and at most 1,000 of them.
      let body = '';
      req.on('data', (d) => { if (body.length < 16_384) body += d.toString('utf8', 0, 16_384 - body.length); });
      req.on('end', () => {
        if (reports.length < 1000) reports.push(body);
        res.writeHead(204).end();
      });
      req.on('error', () => res.destroy());
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(405, 'method not allowed');
    const asked = fileFor(base, req.url, prefix);
    if (asked === null) return fail(400, 'bad request');
    if (asked === undefined || !inside(base, asked)) return fail(404, 'not found');
    // Symbolic links are followed only as far as the root: where a file really is must be under it too.
    let file;
    try {
      file = fs.realpathSync(asked);
      if (fs.statSync(file).isDirectory()) file = fs.realpathSync(path.join(file, 'index.html'));
      if (!inside(fs.realpathSync(base), file) || !fs.statSync(file).isFile()) return fail(404, 'not found');
    } catch {
      return fail(404, 'not found');
    }
    const sent = encoded(file, req.headers['accept-encoding']);
    fs.readFile(sent.file, (err, body) => {
      if (err) return fail(404, 'not found');
      res.writeHead(200, {
        'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'content-length': body.length, 'cache-control': 'no-cache',
        ...(sent.encoding ? { 'content-encoding': sent.encoding, vary: 'accept-encoding' } : {}),
        ...(isolated ? ISOLATION : {}),
        ...(csp ? { 'content-security-policy': `${CSP}; frame-ancestors 'none'; report-uri ${prefix}csp-report` } : {}),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
  });
  server.cspReports = reports;
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [root = 'dist', port = '8080'] = process.argv.slice(2);
  const server = await startServer(root, Number(port), { isolated: process.env.ISOLATED !== '0', prefix: process.env.PREFIX ?? '/' });
  // Port 0 asks the system for a free one: print the one it gave.
  console.log(`serving ${root} on http://127.0.0.1:${server.address().port}${process.env.PREFIX ?? '/'}`);
}
