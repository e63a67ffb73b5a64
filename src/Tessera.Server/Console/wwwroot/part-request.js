// One POST /uploads/{id}/parts. XMLHttpRequest rather than fetch: it reports upload progress, so the bar moves within
// a part.
import { API_BASE, bearer, errorFrom, unreachable } from './api.js';
import { CRC32C_HEADER, toHeaderValue } from './crc32c.js';
import { abortError } from './retries.js';

/**
 * Sends `body` (a Blob) as the multipart field `data`, with its CRC32C in the checksum header when `crc` is given.
 * Resolves with `{ part, storedCrc }`: the Part object and the checksum header of the answer (null when it has none).
 * Rejects with the server's ApiError, a network ApiError (status 0), or an AbortError. `onProgress(loaded)` follows
 * the bytes sent.
 */
export function sendPart(uploadId, index, body, crc, signal, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const onAbort = () => xhr.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const settle = () => signal.removeEventListener('abort', onAbort);
    xhr.open('POST', `${API_BASE}/uploads/${encodeURIComponent(uploadId)}/parts`);
    xhr.setRequestHeader('Authorization', bearer());
    if (crc !== null) xhr.setRequestHeader(CRC32C_HEADER, toHeaderValue(crc));
    xhr.upload.onprogress = (event) => onProgress(Math.min(event.loaded, body.size));
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
    const form = new FormData();
    form.append('data', body, `part-${index}`);
    onProgress(0);
    xhr.send(form);
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
