// Finishes a site trunk built (scripts/build.sh runs it after `trunk build`):
// `node scripts/finish-site.mjs [dist] [--brotli]`. Running it twice changes
// nothing.
//
// - Every URL relative, so the folder works at any path of any static host
//   (trunk writes /app-….js).
// - Trunk's inline start-up script moved into a file: the page's CSP allows
//   no inline script. The CSP itself goes into a <meta>.
// - The service worker (www/sw.js) written with this build's version (a hash
//   of every file), its page files and the CSP; www/offline.js starts it.
// - www/gpu-watch.js run first in the WebGPU worker (a lost device is said).
// - Each module and page file pre-compressed for servers that send those
//   (scripts/static-server.mjs does): .gz always, .br with `--brotli`
//   (scripts/publish.sh; 50 s at quality 11, and browsers ask for brotli
//   over HTTPS only, so a local build goes without).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { CSP } from './site-policy.mjs';

const args = process.argv.slice(2);
const dir = path.resolve(args.find((a) => !a.startsWith('--')) ?? 'dist');
const brotli = args.includes('--brotli');
const www = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'www');
const indexFile = path.join(dir, 'index.html');
let html = fs.readFileSync(indexFile, 'utf8');

const inline = html.match(/<script type="module">([\s\S]*?)<\/script>/);
if (inline) {
  const code = inline[1].trim().replaceAll(`'/`, `'./`) + '\n';
  const name = `start-${crypto.createHash('sha256').update(code).digest('hex').slice(0, 16)}.js`;
  fs.writeFileSync(path.join(dir, name), code);
  html = html.replace(inline[0], `<script type="module" src="./offline.js"></script>\n<script type="module" src="./${name}"></script>`);
}
html = html.replace(/(href|src)="\/(?!\/)/g, '$1="./');
html = html.replace(/\n  <meta http-equiv="Content-Security-Policy" content="[^"]*">/, '');
html = html.replace('<meta charset="utf-8">', `<meta charset="utf-8">\n  <meta http-equiv="Content-Security-Policy" content="${CSP}">`);
fs.writeFileSync(indexFile, html);
fs.copyFileSync(path.join(www, 'offline.js'), path.join(dir, 'offline.js'));
// The WebGPU worker hears of a lost GPU device through www/gpu-watch.js, which
// its loader (trunk's shim) runs before the module.
fs.copyFileSync(path.join(www, 'gpu-watch.js'), path.join(dir, 'gpu-watch.js'));
const loader = path.join(dir, 'worker_loader.js');
const watch = 'importScripts("./gpu-watch.js");';
if (fs.existsSync(loader) && !fs.readFileSync(loader, 'utf8').startsWith(watch)) {
  fs.writeFileSync(loader, watch + fs.readFileSync(loader, 'utf8'));
}

/** Every file of the site under `dir`, relative, in a stable order. */
function files(at = dir) {
  // Dot files (the build's stamp) are not the site's.
  return fs.readdirSync(at, { withFileTypes: true }).filter((e) => !e.name.startsWith('.')).flatMap((e) => {
    const full = path.join(at, e.name);
    return e.isDirectory() ? files(full) : [path.relative(dir, full)];
  }).sort();
}
const site = files().filter((f) => f !== 'sw.js' && !/\.(br|gz)$/.test(f) || f.startsWith('data/'));

// The version: any change to any file is a new build for the browser.
const hash = crypto.createHash('sha256');
for (const f of site) hash.update(f).update('\0').update(fs.readFileSync(path.join(dir, f)));
const version = hash.digest('hex').slice(0, 16);
// The page and every module, kept when the service worker installs (the
// data files are kept as labs fetch them).
const shell = ['./', ...site.filter((f) => !f.includes('/') && /\.(js|wasm|css)$/.test(f)).map((f) => `./${f}`)];
const sw = fs.readFileSync(path.join(www, 'sw.js'), 'utf8')
  .replace('__VERSION__', version).replace('__SHELL__', JSON.stringify([...new Set(shell)])).replace('__CSP__', JSON.stringify(CSP));
fs.writeFileSync(path.join(dir, 'sw.js'), sw);

// Compressed copies of what the page loads; the data files are fetched once,
// then kept by the service worker, and their progress bars need true sizes.
let [raw, gz, br] = [0, 0, 0];
for (const f of files().filter((f) => /\.(html|js|css|wasm)$/.test(f) && !f.startsWith('data/'))) {
  const full = path.join(dir, f);
  const body = fs.readFileSync(full);
  const stale = (out) => !fs.existsSync(out) || fs.statSync(out).mtimeMs < fs.statSync(full).mtimeMs;
  if (stale(full + '.gz')) fs.writeFileSync(full + '.gz', zlib.gzipSync(body, { level: 9 }));
  if (brotli && stale(full + '.br')) {
    const params = { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length };
    fs.writeFileSync(full + '.br', zlib.brotliCompressSync(body, { params }));
  }
  // A copy older than its file would be served in its place.
  if (!brotli && fs.existsSync(full + '.br') && stale(full + '.br')) fs.rmSync(full + '.br');
  [raw, gz] = [raw + body.length, gz + fs.statSync(full + '.gz').size];
  if (fs.existsSync(full + '.br')) br += fs.statSync(full + '.br').size;
}
console.log(`site ${path.relative(process.cwd(), dir) || '.'}: version ${version}; page and modules ${raw} bytes, ${gz} gzipped${brotli ? `, ${br} brotli` : ''}`);
