// Reads part-sized slices of a file off the page's thread and hashes them. Receives {id, blob}; answers
// {id, crc, bytes} (the CRC32C as an unsigned number, the slice's bytes handed over, not copied) or {id, error}.
// The page sends exactly these bytes, so the checksum is of what goes on the wire, and the file is read once.
import './vendor/hash-wasm/crc32.umd.min.js';

/** CRC-32C (Castagnoli), reflected, as hash-wasm's createCRC32 takes it. */
const CASTAGNOLI = 0x82f63b78;

const hasher = globalThis.hashwasm.createCRC32(CASTAGNOLI);

self.onmessage = async ({ data: { id, blob } }) => {
  try {
    const bytes = await blob.arrayBuffer();
    const crc32c = await hasher;
    // init, update and digest run without a pause, so slices hashed for parts in flight never mix.
    crc32c.init();
    crc32c.update(new Uint8Array(bytes));
    const crc = Number.parseInt(crc32c.digest('hex'), 16) >>> 0;
    self.postMessage({ id, crc, bytes }, [bytes]);
  } catch (error) {
    self.postMessage({ id, error: String(error?.message ?? error) });
  }
};
