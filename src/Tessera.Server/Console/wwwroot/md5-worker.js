// Hashes a file off the page's thread, part by part, so the parts' requests and the progress display never wait
// for it. Receives {blob, partSize}; answers {index, md5} (lower-case hex) for each part-sized slice as soon as it is
// hashed, in order, then {done: true}; or {error}.
import './vendor/hash-wasm/md5.umd.min.js';

self.onmessage = async ({ data: { blob, partSize } }) => {
  try {
    const hasher = await globalThis.hashwasm.createMD5();
    hasher.init();
    let index = 0;
    let filled = 0;
    const finishPart = () => {
      self.postMessage({ index, md5: hasher.digest('hex') });
      hasher.init();
      index += 1;
      filled = 0;
    };
    // A stream hands over a few hundred kilobytes at a time, as fast as they are hashed; measured here it reads a
    // file twice as fast as asking for slices with arrayBuffer(), and holds no more than one chunk. A chunk that
    // straddles a part boundary is hashed in two views of the same bytes, never copied.
    const reader = blob.stream().getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      let offset = 0;
      while (offset < value.length) {
        const take = Math.min(value.length - offset, partSize - filled);
        hasher.update(value.subarray(offset, offset + take));
        offset += take;
        filled += take;
        if (filled === partSize) finishPart();
      }
    }
    // The last, shorter part; an empty file has one empty part.
    if (filled > 0 || index === 0) finishPart();
    self.postMessage({ done: true });
  } catch (error) {
    self.postMessage({ error: String(error?.message ?? error) });
  }
};
