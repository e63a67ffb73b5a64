// Sends one file through the Uploads API: create, parts in parallel (each a File slice the browser streams from
// disk), each part's MD5 computed alongside (md5.js), every part checked against the MD5 the server stored for it,
// complete. A part that fails on the network or with 429/5xx is sent again after a pause (the server's Retry-After
// when it gives one); a part the server stored with another MD5 than the page's slice is sent again as a new part.
// The user may turn the check off (`checkMd5: false`) to spare the CPU it costs: then the page hashes nothing and
// asks the server for no part's MD5 while sending, and a part damaged on its way goes unnoticed.
// What succeeded is written down as it happens (resume-records.js), so a later pick of the same file continues from
// the parts the server still holds.
import { api, API_BASE, ApiError, bearer, errorFrom, unreachable } from './api.js';
import { partMd5s } from './md5.js';
import { deleteRecord, readRecord, writeRecord } from './resume-records.js';

/**
 * Part size: 16 MiB, as Chromium sent 16 MiB parts about 1.4x as fast as 4 MiB ones here (docs/benchmarks.md).
 * Tests may set sessionStorage['tessera.partSize'] to a byte count to use another.
 */
export const DEFAULT_PART_SIZE = 16 * 1024 * 1024;

export const PARTS_IN_FLIGHT = 4;

const MAX_ATTEMPTS = 8;
const MAX_BACKOFF_MS = 15_000;

/**
 * Least time between two part-list requests while parts go up: enough to keep the server's MD5s close behind, few
 * enough (2 a second) not to spend a project's request rate limit on them.
 */
const WARM_INTERVAL_MS = 500;

/** Times a part whose stored MD5 differs from the page's is sent again before the upload gives up. */
const MAX_RESENDS = 3;

export function configuredPartSize() {
  const override = Number(sessionStorage.getItem('tessera.partSize'));
  return Number.isInteger(override) && override > 0 ? override : DEFAULT_PART_SIZE;
}

function abortError() {
  return new DOMException('The upload was stopped.', 'AbortError');
}

export function isAbort(error) {
  return error?.name === 'AbortError';
}

/**
 * The upload of one file. `start()` runs it to the end and resolves with the completed Upload (its `file` inside);
 * `cancel()` stops it and cancels it on the server. Read `uploadId`, `total`, `done()` and `resuming` at any time.
 * With `checkMd5` false no part is hashed or checked, and `onVerifying` is never called.
 */
export class FileUpload {
  constructor(file, purpose, { checkMd5 = true, onCreated = () => {}, onVerifying = () => {}, onCompleting = () => {} } = {}) {
    this.file = file;
    this.purpose = purpose;
    this.checkMd5 = checkMd5;
    this.total = file.size;
    this.uploadId = null;
    this.resuming = false;
    this.cancelled = false;
    this._onCreated = onCreated;
    this._onVerifying = onVerifying;
    this._onCompleting = onCompleting;
    this._abort = new AbortController();
    this._confirmed = 0;
    this._inFlight = new Map();
    this._record = null;
    this._cancellation = null;
    this._warming = null;
    this._warmedAt = -Infinity;
  }

  /** Bytes of the parts the server has acknowledged, for the pending list. */
  received() {
    return Math.min(this.total, this._confirmed);
  }

  /** Bytes the server holds or is receiving now, for the progress bar. */
  done() {
    let sending = 0;
    for (const loaded of this._inFlight.values()) sending += loaded;
    return Math.min(this.total, this._confirmed + sending);
  }

  /**
   * The pending upload a former run of this file left (see resume-records.js), or null when there is none or the
   * server no longer has it pending.
   */
  static async findResumable(file) {
    const record = readRecord(file);
    if (!record) return null;
    try {
      const upload = await api(`/uploads/${encodeURIComponent(record.uploadId)}`);
      if (upload.status === 'pending' && upload.bytes === file.size && upload.expires_at * 1000 > Date.now()) return record;
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 404) throw error;
    }
    deleteRecord(file);
    return null;
  }

  /** Runs the upload; with `record` (from findResumable) it continues that upload. */
  async start(record = null) {
    const signal = this._abort.signal;
    let partSize;
    let parts;
    let hashes;
    if (record) {
      this.resuming = true;
      this.purpose = record.purpose ?? this.purpose;
      partSize = record.partSize;
      this.uploadId = record.uploadId;
      this._record = record;
      this._onCreated(this.uploadId);
      hashes = this._hash(partSize);
      try {
        parts = await this._partsStillHeld(record, partSize, hashes, signal);
      } catch (error) {
        hashes?.stop();
        throw error;
      }
    } else {
      partSize = configuredPartSize();
      // Not aborted by a cancel: cut off midway, the create might still happen on the server, out of reach; finished,
      // its upload is cancelled there just below.
      const upload = await api('/uploads', {
        method: 'POST',
        json: { filename: this.file.name, purpose: this.purpose, bytes: this.file.size, mime_type: this.file.type || 'application/octet-stream' },
      });
      this.uploadId = upload.id;
      this._record = { uploadId: upload.id, partSize, purpose: this.purpose, parts: {} };
      this._onCreated(this.uploadId);
      if (this.cancelled) {
        // Cancelled while the create was on its way: the server has the upload now, so cancel it there too.
        this._cancellation = this._cancellation.then(() => this._cancelOnServer());
        throw abortError();
      }
      this._remember();
      hashes = this._hash(partSize);
      parts = new Map();
    }

    const count = partCount(this.file.size, partSize);
    for (const index of parts.keys()) this._confirmed += chunkOf(this.file, index, partSize).size;
    this._record.parts = Object.fromEntries(parts);
    this._remember();

    const missing = [];
    for (let index = 0; index < count; index += 1) if (!parts.has(index)) missing.push(index);

    try {
      await this._sendParts(missing, parts, partSize, signal);
      if (hashes) {
        this._onVerifying();
        await this._verifyParts(parts, count, partSize, hashes, signal);
      }
    } catch (error) {
      this._abort.abort();
      throw error;
    }

    // No whole-file `md5`: every named part was checked above (or the user chose no check), and checking the whole
    // file would make the server read it all back before it answers.
    const partIds = Array.from({ length: count }, (_, index) => parts.get(index));
    this._onCompleting();
    const completed = await withRetries(async () => api(`/uploads/${encodeURIComponent(this.uploadId)}/complete`, {
      method: 'POST', signal, json: { part_ids: partIds },
    }), signal);
    deleteRecord(this.file);
    return completed;
  }

  /**
   * Stops the parts in flight and cancels the upload on the server (unless `onServer` is false: it was cancelled
   * there already). Resolves once the server has answered; calling it again answers the same promise.
   */
  cancel({ onServer = true } = {}) {
    if (!this._cancellation) {
      this.cancelled = true;
      this._abort.abort();
      deleteRecord(this.file);
      this._cancellation = onServer && this.uploadId ? this._cancelOnServer() : Promise.resolve();
    }
    return this._cancellation;
  }

  /** What cancel() started; resolved when nothing was cancelled. */
  get cancellation() {
    return this._cancellation ?? Promise.resolve();
  }

  async _cancelOnServer() {
    await api(`/uploads/${encodeURIComponent(this.uploadId)}/cancel`, { method: 'POST' });
  }

  /** Writes down what the server holds so far; never after a cancel, which forgets the upload. */
  _remember() {
    if (!this.cancelled) writeRecord(this.file, this._record);
  }

  /**
   * The file's part MD5s, hashed from now on alongside the sending; a failed hash surfaces where it is awaited.
   * Null when the check is off: every step that needs the hashes is skipped where it would await them.
   */
  _hash(partSize) {
    return this.checkMd5 ? partMd5s(this.file, partSize, this._abort.signal) : null;
  }

  /**
   * Reads the server's parts and checks that each part the page will name has the MD5 of its slice. A part that does
   * not (damaged on its way) is sent again as a new part, then checked again; the damaged one is simply not named, so
   * the server drops it at complete. After MAX_RESENDS rounds the upload stops with an error saying which part.
   */
  async _verifyParts(parts, count, partSize, hashes, signal) {
    await this._warming;
    for (let round = 0; ; round += 1) {
      // The server lists every part of an upload in one answer (no paging).
      const listing = await withRetries(() => api(`/uploads/${encodeURIComponent(this.uploadId)}/parts`, { signal }), signal);
      const stored = new Map(listing.data.map((part) => [part.id, part]));
      const bad = [];
      for (let index = 0; index < count; index += 1) {
        const part = stored.get(parts.get(index));
        if (!part || part.md5 !== await hashes.of(index)) bad.push(index);
      }
      if (bad.length === 0) return;
      if (round >= MAX_RESENDS) {
        const first = bad[0];
        throw new Error(`Part ${first + 1} of ${count} (bytes ${first * partSize} to ${Math.min((first + 1) * partSize, this.file.size) - 1}) `
          + `arrived with another MD5 than the file's, ${MAX_RESENDS + 1} times in a row; the upload was stopped `
          + `and can be resumed (${bad.length} ${bad.length === 1 ? 'part' : 'parts'} affected). Check the network or the file.`);
      }
      for (const index of bad) {
        parts.delete(index);
        delete this._record.parts[index];
        this._confirmed -= chunkOf(this.file, index, partSize).size;
      }
      this._remember();
      await this._sendParts(bad, parts, partSize, signal);
    }
  }

  /**
   * Asks for the part list while parts still go up, one request at a time and at most every WARM_INTERVAL_MS: the
   * server computes a stored part's MD5 the first time it lists it and keeps it, so it reads each part back while the
   * network is the bottleneck, and the check before complete finds them computed instead of waiting for the server
   * to read the whole file back then. The answer is not used; the check reads the list anew. Without the check
   * nothing asks for those MD5s, so nor does this.
   */
  _warmPartMd5s(signal) {
    if (!this.checkMd5 || this._warming || performance.now() - this._warmedAt < WARM_INTERVAL_MS) return;
    this._warmedAt = performance.now();
    this._warming = api(`/uploads/${encodeURIComponent(this.uploadId)}/parts`, { signal })
      .catch(() => {})
      .finally(() => { this._warming = null; });
  }

  /** PARTS_IN_FLIGHT senders take the next missing part until none is left; the first final failure stops them all. */
  async _sendParts(missing, parts, partSize, signal) {
    let next = 0;
    const sender = async () => {
      while (next < missing.length) {
        if (signal.aborted) throw abortError();
        const index = missing[next++];
        const chunk = chunkOf(this.file, index, partSize);
        const part = await withRetries(() => this._sendPart(index, chunk, signal), signal, () => this._inFlight.delete(index));
        this._inFlight.delete(index);
        this._confirmed += chunk.size;
        parts.set(index, part.id);
        this._record.parts[index] = part.id;
        this._remember();
        this._warmPartMd5s(signal);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARTS_IN_FLIGHT, missing.length) }, sender));
  }

  /**
   * One POST /uploads/{id}/parts with the slice as the multipart field `data`. XMLHttpRequest rather than fetch:
   * it reports upload progress, so the bar moves within a part.
   */
  _sendPart(index, chunk, signal) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      const onAbort = () => xhr.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      const settle = () => signal.removeEventListener('abort', onAbort);
      xhr.open('POST', `${API_BASE}/uploads/${encodeURIComponent(this.uploadId)}/parts`);
      xhr.setRequestHeader('Authorization', bearer());
      xhr.upload.onprogress = (event) => this._inFlight.set(index, Math.min(event.loaded, chunk.size));
      xhr.onload = () => {
        settle();
        const response = new Response(xhr.status === 204 ? null : xhr.responseText, {
          status: xhr.status,
          statusText: xhr.statusText,
          headers: headersOf(xhr),
        });
        if (response.ok) {
          response.json().then(resolve, reject);
        } else {
          errorFrom(response).then(reject, reject);
        }
      };
      xhr.onerror = () => { settle(); reject(unreachable()); };
      xhr.ontimeout = () => { settle(); reject(unreachable()); };
      xhr.onabort = () => { settle(); reject(abortError()); };
      const form = new FormData();
      form.append('data', chunk, `part-${index}`);
      this._inFlight.set(index, 0);
      xhr.send(form);
    });
  }

  /**
   * The parts of `record` the server still holds, by index: those it recorded, then, given `hashes`, any other the
   * server has whose size and MD5 match a missing slice of the file (a part whose answer was lost before it could be
   * recorded). Without hashes there is nothing to match such a part against, so its slice is simply sent again.
   */
  async _partsStillHeld(record, partSize, hashes, signal) {
    const listing = await api(`/uploads/${encodeURIComponent(record.uploadId)}/parts`, { signal });
    const held = new Map(listing.data.map((part) => [part.id, part]));
    const count = partCount(this.file.size, partSize);
    const parts = new Map();
    for (const [key, partId] of Object.entries(record.parts ?? {})) {
      const index = Number(key);
      const part = held.get(partId);
      if (Number.isInteger(index) && index < count && part && part.bytes === chunkOf(this.file, index, partSize).size) {
        parts.set(index, partId);
        held.delete(partId);
      }
    }

    if (!hashes) return parts;
    for (let index = 0; index < count && held.size > 0; index += 1) {
      if (parts.has(index)) continue;
      const chunk = chunkOf(this.file, index, partSize);
      const sameSize = [...held.values()].filter((part) => part.bytes === chunk.size);
      if (sameSize.length === 0) continue;
      const md5 = await hashes.of(index);
      const match = sameSize.find((part) => part.md5 === md5);
      if (match) {
        parts.set(index, match.id);
        held.delete(match.id);
      }
    }
    return parts;
  }
}

export function partCount(size, partSize) {
  return Math.ceil(size / partSize);
}

function chunkOf(file, index, partSize) {
  return file.slice(index * partSize, Math.min((index + 1) * partSize, file.size));
}

function headersOf(xhr) {
  const headers = new Headers();
  for (const line of xhr.getAllResponseHeaders().trim().split(/[\r\n]+/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return headers;
}

/**
 * Runs `attempt` until it succeeds, a final error, or MAX_ATTEMPTS. Pauses between tries double from half a second,
 * with jitter so parallel parts do not retry in step; a Retry-After from the server wins. While the browser knows it
 * is offline it waits for the network to come back, however long, without spending tries.
 */
async function withRetries(attempt, signal, beforeRetry = () => {}) {
  for (let tries = 1; ; tries += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (isAbort(error) || signal.aborted || !(error instanceof ApiError) || !error.retryable) throw error;
      beforeRetry();
      if (error.status === 0 && !navigator.onLine) {
        await backOnline(signal);
        tries -= 1;
        continue;
      }
      if (tries >= MAX_ATTEMPTS) throw error;
      const backoff = Math.min(MAX_BACKOFF_MS, 500 * 2 ** (tries - 1)) * (0.75 + Math.random() / 2);
      await sleep(error.retryAfter !== null ? error.retryAfter * 1000 : backoff, signal);
    }
  }
}

function backOnline(signal) {
  return new Promise((resolve, reject) => {
    const onOnline = () => { signal.removeEventListener('abort', onAbort); resolve(); };
    const onAbort = () => { window.removeEventListener('online', onOnline); reject(abortError()); };
    window.addEventListener('online', onOnline, { once: true });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = () => { clearTimeout(timer); reject(abortError()); };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
