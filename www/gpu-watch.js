// Runs first in the WebGPU worker (scripts/finish-site.mjs puts it ahead of
// the module in worker_loader.js). The browser can take a GPU device away at
// any time: a driver reset, a laptop switching GPUs, a phone freezing a tab in
// the background. burn then fails at its next read ("the staging buffer could
// not be mapped"), which says nothing of the cause; the device's `lost`
// promise does, so the page hears of it here, as one more event of the
// worker's (src/event.rs, `Event::GpuLost`), and offers to go on on the CPU.
(() => {
  if (typeof GPUAdapter === 'undefined') return;
  const requestDevice = GPUAdapter.prototype.requestDevice;
  GPUAdapter.prototype.requestDevice = async function (...args) {
    const device = await requestDevice.apply(this, args);
    // Kept where the browser's console (and the suite, which destroys it to
    // play a loss) can reach it.
    self.reasonlabGpuDevice = device;
    device.lost.then((info) => {
      self.postMessage({ event: 'gpulost', reason: String(info.reason ?? 'unknown'), message: String(info.message ?? '') });
    });
    return device;
  };
})();
