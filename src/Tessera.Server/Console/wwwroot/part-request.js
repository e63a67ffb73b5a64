// One POST /uploads/{id}/parts. XMLHttpRequest rather than fetch: it reports upload progress, so the bar moves within
// a part.
import { API_BASE, bearer, errorFrom, unreachable } from './api.js';
import { CRC32C_HEADER, toHeaderValue } from './crc32c.js';
import { multipartFraming } from './multipart-body.js';
import { abortError } from './retries.js';

/**
 * A part's request body sent straight from the file: a FormData holding the slice as the field `data`, which Chromium
 * reads from disk as it sends. Its Content-Type (with the boundary) is the browser's.
 */
export function formPayload(slice, index) {
  const form = new FormData();
  form.append('data', slice, partFilename(index));
  return { body: form, contentType: null, size: slice.size };
}

/**
 * What crc32c.js's reader wraps a slice in, to be sent as it is: the multipart/form-data framing of the field `data`
 * and the Content-Type that goes with it.
 */
export function partFraming(index) {
  return multipartFraming('data', partFilename(index));
}

/** A part's request body the page framed itself: `framed` (a Uint8Array) holds `size` bytes of the file inside `framing`. */
export function framedPayload(framed, framing, size) {
  return { body: framed, contentType: framing.contentType, size };
}

function partFilename(index) {
  return `part-${index}`;
}

/**
 * Sends `payload` (formPayload's or framedPayload's) with its CRC32C in the checksum header when `crc` is given.
 * Resolves with `{ part, storedCrc }`: the Part object and the checksum header of the answer (null when it has none).
 * Rejects with the server's ApiError, a network ApiError (status 0), or an AbortError. `onProgress(loaded)` follows
 * the bytes sent, up to the file's bytes in the payload.
 */
export function sendPart(uploadId, payload, crc, signal, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const onAbort = () => xhr.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const settle = () => signal.removeEventListener('abort', onAbort);
    xhr.open('POST', `${API_BASE}/uploads/${encodeURIComponent(uploadId)}/parts`);
    xhr.setRequestHeader('Authorization', bearer());
    if (payload.contentType) xhr.setRequestHeader('Content-Type', payload.contentType);
    if (crc !== null) xhr.setRequestHeader(CRC32C_HEADER, toHeaderValue(crc));
    xhr.upload.onprogress = (event) => onProgress(Math.min(event.loaded, payload.size));
    xhr.onload = () => {
      settle();
      const response = new Response(xhr.status === 204 ? null : xhr.responseText, {
        status: xhr.status,
        statusText: xhr.statusText,
        headers: headersOf(xhr),
      });
      if (response.ok) {
        response.json().then((part) => resolve({ part, storedCrc: response.headers.get(CRC32C_HEADER) }), reject);
      } else {
        errorFrom(response).then(reject, reject);
      }
    };
    xhr.onerror = () => { settle(); reject(unreachable()); };
    xhr.ontimeout = () => { settle(); reject(unreachable()); };
    xhr.onabort = () => { settle(); reject(abortError()); };
    onProgress(0);
    xhr.send(payload.body);
  });
}

function headersOf(xhr) {
  const headers = new Headers();
  for (const line of xhr.getAllResponseHeaders().trim().split(/[\r\n]+/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return headers;
}
