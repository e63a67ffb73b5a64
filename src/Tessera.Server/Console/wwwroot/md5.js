// MD5 with hash-wasm (vendored, MIT, see vendor/hash-wasm/LICENSE): WebCrypto has no MD5, and this one is
// WebAssembly, fast enough to keep up with the network, and hashes incrementally, so a file is never held whole.
// Each hash runs in a worker of its own (md5-worker.js).

function abortError() {
  return new DOMException('The upload was stopped.', 'AbortError');
}

/** The lower-case hex MD5 of a Blob (a File or a slice of one); `signal` stops the worker. */
export function md5Of(blob, signal) {
  if (signal?.aborted) return Promise.reject(abortError());
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./md5-worker.js', import.meta.url), { type: 'module', name: 'md5' });
    const stop = () => {
      worker.terminate();
      reject(abortError());
    };
    signal?.addEventListener('abort', stop, { once: true });
    const finish = () => {
      signal?.removeEventListener('abort', stop);
      worker.terminate();
    };
    worker.onmessage = ({ data }) => {
      finish();
      if (data.error) reject(new Error(`Could not hash the file: ${data.error}`));
      else resolve(data.md5);
    };
    worker.onerror = (event) => {
      finish();
      reject(new Error(`Could not hash the file: ${event.message || 'the hashing worker failed to start'}`));
    };
    worker.postMessage({ blob });
  });
}
