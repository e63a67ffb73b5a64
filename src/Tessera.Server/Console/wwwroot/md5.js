// MD5 with hash-wasm (vendored, MIT, see vendor/hash-wasm/LICENSE): WebCrypto has no MD5, and this one is
// WebAssembly, fast enough to keep up with the network, and hashes incrementally, so a file is never held whole.
// The file is read once, in a worker (md5-worker.js), which answers the MD5 of each part-sized slice: the server
// keeps each stored part's MD5, so the page checks every part against it instead of the whole file at complete.

function abortError() {
  return new DOMException('The upload was stopped.', 'AbortError');
}

/**
 * Starts hashing `file` in slices of `partSize` bytes. `of(index)` resolves with the lower-case hex MD5 of that
 * slice once the worker has reached it; every waiter is rejected if hashing fails or `signal` stops it.
 */
export function partMd5s(file, partSize, signal) {
  const known = [];
  const waiters = new Map();
  let failure = signal?.aborted ? abortError() : null;
  const worker = failure ? null : new Worker(new URL('./md5-worker.js', import.meta.url), { type: 'module', name: 'md5' });

  const fail = (error) => {
    if (failure) return;
    failure = error;
    worker?.terminate();
    signal?.removeEventListener('abort', stop);
    for (const list of waiters.values()) for (const { reject } of list) reject(error);
    waiters.clear();
  };
  const stop = () => fail(abortError());

  if (worker) {
    signal?.addEventListener('abort', stop, { once: true });
    worker.onmessage = ({ data }) => {
      if (data.error) {
        fail(new Error(`Could not hash the file: ${data.error}`));
      } else if (data.done) {
        signal?.removeEventListener('abort', stop);
        worker.terminate();
      } else {
        known[data.index] = data.md5;
        for (const { resolve } of waiters.get(data.index) ?? []) resolve(data.md5);
        waiters.delete(data.index);
      }
    };
    worker.onerror = (event) => fail(new Error(`Could not hash the file: ${event.message || 'the hashing worker failed to start'}`));
    worker.postMessage({ blob: file, partSize });
  }

  return {
    of(index) {
      if (known[index] !== undefined) return Promise.resolve(known[index]);
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        if (!waiters.has(index)) waiters.set(index, []);
        waiters.get(index).push({ resolve, reject });
      });
    },
    stop,
  };
}
