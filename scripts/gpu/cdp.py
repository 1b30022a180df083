"""A minimal Chrome DevTools Protocol call over a hand-rolled WebSocket (stdlib only: the
GPU machine has no websocket package). Used to read SystemInfo.getInfo, the data behind
chrome://gpu, when a flag set gives no WebGPU adapter."""
import base64, json, os, socket, urllib.parse, urllib.request


def call(port, method, params=None, timeout=10):
    ver = json.load(urllib.request.urlopen(f'http://127.0.0.1:{port}/json/version', timeout=timeout))
    url = urllib.parse.urlparse(ver['webSocketDebuggerUrl'])
    s = socket.create_connection((url.hostname, url.port), timeout=timeout)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall((f'GET {url.path} HTTP/1.1\r\nHost: {url.hostname}:{url.port}\r\nUpgrade: websocket\r\n'
               f'Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n').encode())
    buf = b''
    while b'\r\n\r\n' not in buf:
        buf += s.recv(4096)
    buf = buf.split(b'\r\n\r\n', 1)[1]
    payload = json.dumps({'id': 1, 'method': method, 'params': params or {}}).encode()
    n, mask = len(payload), os.urandom(4)
    head = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + n.to_bytes(2, 'big'))
    s.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def need(k):
        nonlocal buf
        while len(buf) < k:
            buf += s.recv(65536)
    message = b''
    while True:  # server frames are unmasked; a message may span continuation frames
        need(2)
        fin, n, off = buf[0] & 0x80, buf[1] & 0x7f, 2
        if n == 126:
            need(4); n, off = int.from_bytes(buf[2:4], 'big'), 4
        elif n == 127:
            need(10); n, off = int.from_bytes(buf[2:10], 'big'), 10
        need(off + n)
        message, buf = message + buf[off:off + n], buf[off + n:]
        if fin:
            reply = json.loads(message)
            message = b''
            if reply.get('id') == 1:
                s.close()
                return reply.get('result', reply)


def gpu_summary(port):
    """What chrome://gpu would say: feature status, the devices and the GL/Vulkan strings."""
    info = call(port, 'SystemInfo.getInfo')['gpu']
    aux = info.get('auxAttributes', {})
    keep = ('glRenderer', 'glVendor', 'glImplementationParts', 'displayType', 'initializationTime',
            'skiaBackendType', 'vulkanVersion', 'inProcessGpu', 'passthroughCmdDecoder')
    return {'featureStatus': info.get('featureStatus'), 'devices': info.get('devices'),
            'aux': {k: aux[k] for k in keep if k in aux}, 'workarounds': len(info.get('driverBugWorkarounds', []))}
