// Sends one file through the Uploads API: create, parts in parallel, complete. With the check on (the default) each
// part's bytes are read once, in a worker that hashes them (crc32c.js), and those very bytes go up with their CRC32C
// in a header: the server refuses a part whose bytes do not match it (400 checksum_mismatch), and the page sends that
// part again, MAX_RESENDS times at most; the answer's header says what the server stored, and the page checks it. At
// complete the page sends the whole file's CRC32C, combined from the parts' (crc32c-combine.js), and checks the
// answer's. Nothing is read back: no part list is asked for, and the server reads no part again.
// The bytes go up as the buffer the worker read them into, framed as multipart/form-data (multipart-body.js): a Blob
// made of them for FormData would cost more than reading and hashing them. The user may turn the check off
// (`verify: false`): then the page sends each slice straight from the file, hashes nothing, and a part damaged on its
// way goes unnoticed.
// A part that fails on the network or with 429/5xx is sent again after a pause (retries.js). What succeeded is
// written down as it happens (resume-records.js), so a later pick of the same file continues from the parts the
// server still holds (resume-match.js).
import { api, ApiError } from './api.js';
import { crc32cOfPieces } from './crc32c-combine.js';
import { ALGORITHMS_HEADER, CRC32C_HEADER, announcesCrc32c, crc32cReader, toHeaderValue } from './crc32c.js';
import { partCount, sliceOf } from './file-parts.js';
import { formPayload, framedPayload, partFraming, sendPart } from './part-request.js';
import { partsStillHeld } from './resume-match.js';
import { deleteRecord, writeRecord } from './resume-records.js';
import { abortError, isAbort, withRetries } from './retries.js';

export { isAbort };

/**
 * Part size: 16 MiB, as Chromium sent 16 MiB parts about 1.4x as fast as 4 MiB ones here (docs/benchmarks.md).
 * Tests may set sessionStorage['tessera.partSize'] to a byte count to use another.
 */
export const DEFAULT_PART_SIZE = 16 * 1024 * 1024;

export const PARTS_IN_FLIGHT = 4;

/** Times a part the server found damaged (its CRC32C not the page's) is sent again before the upload gives up. */
export const MAX_RESENDS = 3;

export function configuredPartSize() {
  const override = Number(sessionStorage.getItem('tessera.partSize'));
  return Number.isInteger(override) && override > 0 ? override : DEFAULT_PART_SIZE;
}

function isChecksumMismatch(error) {
  return error instanceof ApiError && error.code === 'checksum_mismatch';
}

/**
 * The upload of one file. `start()` runs it to the end and resolves with the completed Upload (its `file` inside);
 * `cancel()` stops it and cancels it on the server. Read `uploadId`, `total`, `done()` and `resuming` at any time.
 * With `verify` false no part is hashed or checked.
 */
export class FileUpload {
  constructor(file, purpose, { verify = true, onCreated = () => {}, onCompleting = () => {} } = {}) {
    this.file = file;
    this.purpose = purpose;
    this.verify = verify;
    this.total = file.size;
    this.uploadId = null;
    this.resuming = false;
    this.cancelled = false;
    this._onCreated = onCreated;
    this._onCompleting = onCompleting;
    this._abort = new AbortController();
    this._confirmed = 0;
    this._inFlight = new Map();
    this._record = null;
    this._cancellation = null;
    this._reader = null;
    // The CRC32C of each part named, by index: the whole file's follows from them.
    this._crcs = [];
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

  /** Runs the upload; with `record` (resume-match.js's findResumable) it continues that upload. */
  async start(record = null) {
    const signal = this._abort.signal;
    this._reader = this.verify ? crc32cReader(signal) : null;
    try {
      const { partSize, parts } = record ? await this._resume(record, signal) : await this._create();
      const count = partCount(this.file.size, partSize);
      for (const index of parts.keys()) this._confirmed += sliceOf(this.file, index, partSize).size;
      this._record.parts = Object.fromEntries(parts);
      this._remember();

      const missing = [];
      for (let index = 0; index < count; index += 1) if (!parts.has(index)) missing.push(index);
      await this._sendParts(missing, parts, partSize, signal);
      this._reader?.stop();
      return await this._complete(parts, count, partSize, signal);
    } catch (error) {
      this._abort.abort();
      throw error;
    }
  }

  async _resume(record, signal) {
    this.resuming = true;
    this.purpose = record.purpose ?? this.purpose;
    this.uploadId = record.uploadId;
    this._record = record;
    this._onCreated(this.uploadId);
    const parts = await partsStillHeld(this.file, record, { reader: this._reader, crcs: this._crcs, signal });
    return { partSize: record.partSize, parts };
  }

  async _create() {
    const partSize = configuredPartSize();
    // Not aborted by a cancel: cut off midway, the create might still happen on the server, out of reach; finished,
    // its upload is cancelled there just below.
    const response = await api('/uploads', {
      method: 'POST',
      raw: true,
      json: { filename: this.file.name, purpose: this.purpose, bytes: this.file.size, mime_type: this.file.type || 'application/octet-stream' },
    });
    const upload = await response.json();
    this.uploadId = upload.id;
    this._record = { uploadId: upload.id, partSize, purpose: this.purpose, parts: {} };
    this._onCreated(this.uploadId);
    if (this.cancelled) {
      // Cancelled while the create was on its way: the server has the upload now, so cancel it there too.
      this._cancellation = this._cancellation.then(() => this._cancelOnServer());
      throw abortError();
    }
    if (this.verify && !announcesCrc32c(response.headers.get(ALGORITHMS_HEADER))) {
      // Tessera always announces it; an answer without it went through something that drops headers, which would
      // drop the parts' checksum headers too. Better no upload than one that says it was checked and was not.
      await this._cancelOnServer().catch(() => {});
      throw new Error(`The server's answer does not say it checks CRC32C (no ${ALGORITHMS_HEADER}: crc32c header; a proxy `
        + 'in between may drop it), so the parts could not be verified and the upload was cancelled. Untick '
        + '"Check each part\'s CRC32C" to upload without the check.');
    }
    this._remember();
    return { partSize, parts: new Map() };
  }

  /** Names the parts in order, with the whole file's CRC32C when checking, and checks the one the server answers. */
  async _complete(parts, count, partSize, signal) {
    const partIds = Array.from({ length: count }, (_, index) => parts.get(index));
    const headers = {};
    if (this.verify) {
      const pieces = Array.from({ length: count }, (_, index) => ({ crc: this._crcs[index], bytes: sliceOf(this.file, index, partSize).size }));
      headers[CRC32C_HEADER] = toHeaderValue(crc32cOfPieces(pieces));
    }
    this._onCompleting();
    const response = await withRetries(async () => api(`/uploads/${encodeURIComponent(this.uploadId)}/complete`, {
      method: 'POST', signal, headers, raw: true, json: { part_ids: partIds },
    }), signal);
    const completed = await response.json();
    deleteRecord(this.file);
    const stored = response.headers.get(CRC32C_HEADER);
    if (this.verify && stored !== headers[CRC32C_HEADER]) {
      throw new Error(`The server completed ${completed.file?.id ?? this.uploadId} but gives its CRC32C as ${stored ?? 'nothing'}, `
        + `not the file's ${headers[CRC32C_HEADER]}: the stored file may not hold this file's bytes. Delete it and upload again.`);
    }
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

  /** PARTS_IN_FLIGHT senders take the next missing part until none is left; the first final failure stops them all. */
  async _sendParts(missing, parts, partSize, signal) {
    let next = 0;
    const sender = async () => {
      while (next < missing.length) {
        if (signal.aborted) throw abortError();
        const index = missing[next++];
        const slice = sliceOf(this.file, index, partSize);
        const { payload, crc } = this._reader ? await this._readChecked(slice, index) : { payload: formPayload(slice, index), crc: null };
        const part = await this._sendCheckedPart(index, payload, crc, partSize, signal);
        this._inFlight.delete(index);
        this._confirmed += slice.size;
        this._crcs[index] = crc;
        parts.set(index, part.id);
        this._record.parts[index] = part.id;
        this._remember();
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARTS_IN_FLIGHT, missing.length) }, sender));
  }

  /** Reads and hashes slice `index` in the worker, into the multipart body that sends it. */
  async _readChecked(slice, index) {
    const framing = partFraming(index);
    const { body, crc } = await this._reader.read(slice, framing);
    return { payload: framedPayload(body, framing, slice.size), crc };
  }

  /**
   * Sends one part and, given its CRC32C, makes sure the server stored those bytes: a part refused as damaged
   * (400 checksum_mismatch), or stored with another CRC32C (left unnamed, so the server drops it at complete), is
   * sent again, MAX_RESENDS times at most; then the upload stops with an error saying which part.
   */
  async _sendCheckedPart(index, payload, crc, partSize, signal) {
    const progress = (loaded) => this._inFlight.set(index, loaded);
    for (let resends = 0; ; resends += 1) {
      if (resends > MAX_RESENDS) throw this._damaged(index, partSize);
      let answer;
      try {
        answer = await withRetries(() => sendPart(this.uploadId, payload, crc, signal, progress), signal, () => this._inFlight.delete(index));
      } catch (error) {
        this._inFlight.delete(index);
        if (isChecksumMismatch(error)) continue;
        throw error;
      }
      if (crc === null) return answer.part;
      if (answer.storedCrc === null) {
        throw new Error(`The server stored part ${index + 1} without saying its CRC32C (no ${CRC32C_HEADER} header on its answer; `
          + 'a proxy in between may drop it), so it could not be verified. The upload was stopped and can be resumed; untick '
          + '"Check each part\'s CRC32C" to upload without the check.');
      }
      if (answer.storedCrc === toHeaderValue(crc)) return answer.part;
      this._inFlight.delete(index);
    }
  }

  _damaged(index, partSize) {
    const count = partCount(this.file.size, partSize);
    const last = Math.min((index + 1) * partSize, this.file.size) - 1;
    return new Error(`Part ${index + 1} of ${count} (bytes ${index * partSize} to ${last}) arrived damaged `
      + `${MAX_RESENDS + 1} times in a row: the server's CRC32C of what it received never matched the file's. `
      + 'The upload was stopped and can be resumed by picking the file again; check the network (a proxy or a faulty link) or the file.');
  }
}
