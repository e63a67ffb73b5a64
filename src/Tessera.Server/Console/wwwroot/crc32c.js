// CRC32C with hash-wasm's CRC-32 build (vendored, MIT, see vendor/hash-wasm/LICENSE) in a worker (crc32c-worker.js):
// WebCrypto has no CRC, and the server checks each part's CRC32C as it receives it, so a part damaged on its way is
// refused at once and the page need not ask the server about its parts afterwards.
import { abortError } from './retries.js';

/** The header a part, a complete and their answers carry the CRC32C in (docs/api.md). */
export const CRC32C_HEADER = 'x-tessera-checksum-crc32c';

/** The create-upload answer's header naming the checksums the server checks; Tessera's says `crc32c`. */
export const ALGORITHMS_HEADER = 'x-tessera-checksum-algorithms';

/** The header's encoding: the base64 of the checksum's four bytes, most significant first. */
export function toHeaderValue(crc) {
  return btoa(String.fromCharCode(crc >>> 24, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff));
}

/** True when the comma-separated `x-tessera-checksum-algorithms` value names crc32c. */
export function announcesCrc32c(value) {
  return (value ?? '').split(',').some((name) => name.trim().toLowerCase() === 'crc32c');
}

/**
 * A worker that reads and hashes slices of a file: `read(blob, framing)` resolves with `{ crc, body }`, the slice's
 * CRC32C and a Uint8Array of the very bytes hashed between `framing.head` and `framing.tail` (multipart-body.js), to
 * send as it is. Every pending read is rejected if the worker fails or `signal` stops it.
 */
export function crc32cReader(signal) {
  const waiting = new Map();
  let nextId = 0;
  let failure = signal?.aborted ? abortError() : null;
  const worker = failure ? null : new Worker(new URL('./crc32c-worker.js', import.meta.url), { type: 'module', name: 'crc32c' });

  const fail = (error) => {
    if (failure) return;
    failure = error;
    worker?.terminate();
    signal?.removeEventListener('abort', stop);
    for (const { reject } of waiting.values()) reject(error);
    waiting.clear();
  };
  const stop = () => fail(abortError());

  if (worker) {
    signal?.addEventListener('abort', stop, { once: true });
    worker.onmessage = ({ data }) => {
      const waiter = waiting.get(data.id);
      waiting.delete(data.id);
      if (data.error) {
        fail(new Error(`Could not read or hash the file: ${data.error}`));
      } else {
        waiter?.resolve({ crc: data.crc, body: data.body });
      }
    };
    worker.onerror = (event) => fail(new Error(`Could not hash the file: ${event.message || 'the hashing worker failed to start'}`));
  }

  return {
    read(blob, { head = '', tail = '' } = {}) {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage({ id, blob, head, tail });
      });
    },
    stop,
  };
}
