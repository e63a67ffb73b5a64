// The framing of a multipart/form-data body holding one file field, written by the page rather than by FormData: a
// checked part goes up as the very buffer its bytes were read into and hashed in, and wrapping those bytes in a Blob
// for FormData costs Chromium more than reading and hashing them (bench/console.sh).

/**
 * The text before and after a file's bytes in a multipart/form-data body whose only field is `name`, and the
 * Content-Type naming its boundary. The boundary is random, so a file's bytes cannot contain it by chance.
 */
export function multipartFraming(name, filename) {
  const boundary = `----tessera-${crypto.randomUUID()}`;
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    head: `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\n`
      + 'Content-Type: application/octet-stream\r\n\r\n',
    tail: `\r\n--${boundary}--\r\n`,
  };
}
