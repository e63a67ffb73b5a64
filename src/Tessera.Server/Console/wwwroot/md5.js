// MD5 with hash-wasm (vendored, MIT, see vendor/hash-wasm/LICENSE): WebCrypto has no MD5, and this one is
// WebAssembly, fast enough to keep up with the network, and hashes incrementally, so a file is read a slice at a time
// and never held whole.
import './vendor/hash-wasm/md5.umd.min.js';

/** How much of a file is read into memory at once while hashing it. */
export const HASH_SLICE = 4 * 1024 * 1024;

function abortError() {
  return new DOMException('The upload was stopped.', 'AbortError');
}

/** The lower-case hex MD5 of a Blob (a File or a slice of one), read HASH_SLICE bytes at a time. */
export async function md5Of(blob, signal) {
  const hasher = await globalThis.hashwasm.createMD5();
  hasher.init();
  for (let offset = 0; offset < blob.size; offset += HASH_SLICE) {
    if (signal?.aborted) throw abortError();
    const slice = await blob.slice(offset, Math.min(offset + HASH_SLICE, blob.size)).arrayBuffer();
    hasher.update(new Uint8Array(slice));
  }
  if (signal?.aborted) throw abortError();
  return hasher.digest('hex');
}
