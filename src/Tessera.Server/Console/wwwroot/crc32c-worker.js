// Reads part-sized slices of a file off the page's thread and hashes them. Receives {id, blob, head, tail}; answers
// {id, crc, body} or {id, error}: the slice's CRC32C as an unsigned number, and a buffer holding `head`, the slice's
// bytes and `tail` (the multipart framing), handed over, not copied. The page sends exactly this buffer, so the
// checksum is of what goes on the wire, and the file is read once.
import './vendor/hash-wasm/crc32.umd.min.js';

/** CRC-32C (Castagnoli), reflected, as hash-wasm's createCRC32 takes it. */
const CASTAGNOLI = 0x82f63b78;

const hasher = globalThis.hashwasm.createCRC32(CASTAGNOLI);
const encoder = new TextEncoder();

self.onmessage = async ({ data: { id, blob, head = '', tail = '' } }) => {
  try {
    const headBytes = encoder.encode(head);
    const tailBytes = encoder.encode(tail);
    const body = new Uint8Array(headBytes.length + blob.size + tailBytes.length);
    body.set(headBytes);
    const bytes = body.subarray(headBytes.length, headBytes.length + blob.size);
    await readInto(blob, bytes);
    body.set(tailBytes, headBytes.length + blob.size);
    const crc32c = await hasher;
    // init, update and digest run without a pause, so slices hashed for parts in flight never mix.
    crc32c.init();
    crc32c.update(bytes);
    const crc = Number.parseInt(crc32c.digest('hex'), 16) >>> 0;
    self.postMessage({ id, crc, body }, [body.buffer]);
  } catch (error) {
    self.postMessage({ id, error: String(error?.message ?? error) });
  }
};

/** Streams `blob` into `target`, which is exactly its size: one copy, with no buffer of the whole slice in between. */
async function readInto(blob, target) {
  const reader = blob.stream().getReader();
  let offset = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (offset + value.length > target.length) throw new Error('the file grew while it was being read');
    target.set(value, offset);
    offset += value.length;
  }
  if (offset !== target.length) throw new Error('the file shrank while it was being read');
}
