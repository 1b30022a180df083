// One thread of the CPU training worker's pool (src/web/threads.rs). The first
// message brings the module and the shared memory: instantiate them and say so.
// The second brings the rayon thread to run, which keeps this worker busy for
// the pool's life.
importScripts('./worker_threads.js');
self.onmessage = async ({ data }) => {
  if (Array.isArray(data)) {
    const [module, memory] = data;
    await wasm_bindgen({ module_or_path: module, memory });
    self.postMessage('loaded');
  } else {
    wasm_bindgen.reasonlab_thread_run(data);
  }
};
