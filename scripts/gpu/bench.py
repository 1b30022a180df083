#!/usr/bin/env python3
"""Runs ReasonLab's GPT bench page and TF.js's peer page in headless Chromium on a real GPU.

Usage: bench.py PAYLOAD_DIR OUT_DIR. PAYLOAD_DIR holds chromium/ (the browser), dist/ (trunk's
build, with wrap.html copied in as __wrap.html) and peers/ (web/ and node_modules/ of
../shared/peers). Each page runs in a fresh Chromium, one at a time; wrap.html posts the
figures back here. Flag sets are probed first and the first whose adapter is not a CPU
(SwiftShader) one is used for every page. Results: OUT_DIR/gpu.jsonl.
"""
import cdp, http.server, json, os, shutil, subprocess, sys, tempfile, threading, time, urllib.parse

PAYLOAD, OUT = sys.argv[1], sys.argv[2]
# DIST names another build of the site (dist-fusion: burn's fusion and autotune in the
# WebGPU worker); its pages are labelled with that name. TFJS=0 skips the TF.js pages.
DIST_NAME = os.environ.get('DIST', 'dist')
DIST, PEERS = os.path.join(PAYLOAD, DIST_NAME), os.path.join(PAYLOAD, 'peers')
TAG = '' if DIST_NAME == 'dist' else '-' + DIST_NAME
RESULTS = []


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      '.wasm': 'application/wasm', '.js': 'text/javascript'}

    def translate_path(self, path):
        self.directory = PEERS if path.startswith(('/node_modules/', '/web/')) else DIST
        return super().translate_path(path)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
        RESULTS.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def end_headers(self):
        self.send_header('Cache-Control', 'no-store')
        super().end_headers()

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
PORT = server.server_address[1]
BASE = ['--headless=new', '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--enable-unsafe-webgpu',
        '--ignore-gpu-blocklist', '--enable-logging=stderr']
# Tried in order; the first whose WebGPU adapter is a hardware one runs the pages. On the
# H100 machine of 2026-11-26 the GPU process crashed with the first (ANGLE on Vulkan), so the
# later sets keep ANGLE off the NVIDIA driver or take the GPU process in-process.
FLAG_SETS = {
    'vulkan': ['--enable-features=Vulkan', '--use-angle=vulkan', '--disable-vulkan-surface'],
    'swangle': ['--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--enable-features=Vulkan',
                '--use-vulkan=native', '--disable-vulkan-surface'],
    'no-compositing': ['--enable-features=Vulkan', '--use-angle=vulkan', '--use-vulkan=native',
                       '--disable-vulkan-surface', '--disable-gpu-compositing'],
    'in-process': ['--enable-features=Vulkan', '--use-angle=vulkan', '--disable-vulkan-surface', '--in-process-gpu'],
    'egl': ['--use-gl=egl', '--enable-features=Vulkan', '--use-vulkan=native', '--disable-vulkan-surface'],
}


def visit(label, kind, target, flags, timeout):
    """One fresh Chromium on wrap.html; returns the posted result or an error record."""
    q = urllib.parse.urlencode({'label': label, 'kind': kind, 'target': target})
    profile = tempfile.mkdtemp(prefix='cr-')
    log = open(os.path.join(OUT, 'chromium.log'), 'a')
    log.write(f'\n==== {label}: {" ".join(flags)}\n')
    log.flush()
    proc = subprocess.Popen([os.path.join(PAYLOAD, 'chromium', 'chromium'), *BASE, *flags, f'--user-data-dir={profile}',
                             '--remote-debugging-port=9333',
                             f'http://127.0.0.1:{PORT}/__wrap.html?{q}'], stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    t0, res = time.time(), None
    while time.time() - t0 < timeout and res is None and proc.poll() is None:
        time.sleep(0.5)
        res = next((r for r in RESULTS if r.get('label') == label), None)
    gpu = None
    if kind == 'probe' and proc.poll() is None:
        try:
            gpu = cdp.gpu_summary(9333)
        except Exception as e:  # the probe's answer matters more than the diagnosis
            gpu = {'error': repr(e)}
    # The whole group: a GPU process left behind can make the next browser's start fail.
    os.killpg(proc.pid, 9)
    proc.wait()
    time.sleep(1)
    shutil.rmtree(profile, ignore_errors=True)
    if res is None:
        res = {'label': label, 'error': f'no result in {time.time() - t0:.0f} s (chromium rc {proc.returncode})'}
    if gpu is not None:
        res['gpu'] = gpu
    res['load1'] = os.getloadavg()[0]
    print(json.dumps(res), flush=True)
    with open(os.path.join(OUT, 'gpu.jsonl'), 'a') as f:
        f.write(json.dumps(res) + '\n')
    return res


def is_gpu(res):
    a = res.get('adapter') or {}
    text = ' '.join(str(v) for v in a.values()).lower()
    software = 'swiftshader' in text or a.get('vendor', '').lower() == 'google'
    return bool(a.get('vendor')) and (not software or os.environ.get('ALLOW_SWIFTSHADER') == '1')


chosen = None
for name, flags in FLAG_SETS.items():
    if is_gpu(visit(f'probe-{name}', 'probe', '', flags, 30)):
        chosen = name
        break
if chosen is None:
    # Diagnosis for next time: the GPU process under a debugger, for the backtrace of its crash.
    gdb = '/usr/local/cuda/bin/cuda-gdb'
    if os.path.exists(gdb):
        visit('probe-gdb', 'probe', '', FLAG_SETS['vulkan'] + [f'--gpu-launcher={gdb} -batch -ex run -ex bt --args'], 60)
    sys.exit('no flag set gave a GPU adapter: see chromium.log')
flags = FLAG_SETS[chosen]
print(f'using flag set {chosen}', flush=True)
if os.environ.get('PROBE_ONLY') == '1':
    sys.exit(0)
# BUDGET (seconds) cuts both pages' plans the same way on a slow adapter; the default leaves them whole.
budget = os.environ.get('BUDGET', '120')
for size in sys.argv[3:] or ['s', 'm']:
    visit(f'reasonlab{TAG}-{size}', 'reasonlab', f'/#lab=bench&size={size}&budget={budget}&backend=webgpu&run=1', flags, 150)
    if os.environ.get('TFJS') == '0':
        continue
    visit(f'tfjs-{size}', 'tfjs', f'/web/index.html?backend=webgpu&mode=gpt&model={size.upper()}'
          f'&warmup=5&steps=20&reps=3&budget={budget}', flags, 150)
if os.environ.get('TFJS') != '0':
    visit('tfjs-matmul', 'tfjs', '/web/index.html?backend=webgpu&mode=matmul', flags, 90)
