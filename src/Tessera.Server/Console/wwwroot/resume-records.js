// What the page remembers about an upload it has started, so that picking the same file again (after a reload, a
// closed tab, a lost network) continues it instead of starting over. Kept in localStorage under
// tessera.resume.<name>|<size>|<lastModified> as {uploadId, partSize, purpose, parts: {index: partId}}; a changed
// file has another size or date, so it never matches. Deleted when the upload completes or is cancelled.

const PREFIX = 'tessera.resume.';

export function recordKey(file) {
  return `${PREFIX}${file.name}|${file.size}|${file.lastModified}`;
}

/** The record of this file, or null when there is none (or it cannot be read). */
export function readRecord(file) {
  try {
    const record = JSON.parse(localStorage.getItem(recordKey(file)) ?? 'null');
    if (record && typeof record.uploadId === 'string' && Number.isInteger(record.partSize) && record.partSize > 0) {
      record.parts ??= {};
      return record;
    }
  } catch {
    // A record this page cannot read is as good as none.
  }
  return null;
}

export function writeRecord(file, record) {
  try {
    localStorage.setItem(recordKey(file), JSON.stringify(record));
  } catch {
    // Storage full or refused: the upload goes on, it just cannot be resumed from here.
  }
}

/** The ids of the uploads this browser keeps a record of, so it can say which pending uploads it can resume. */
export function recordedUploadIds() {
  const ids = new Set();
  try {
    for (let index = 0; index < localStorage.length; index += 1) {
      const key = localStorage.key(index);
      if (!key?.startsWith(PREFIX)) continue;
      const uploadId = JSON.parse(localStorage.getItem(key) ?? 'null')?.uploadId;
      if (typeof uploadId === 'string') ids.add(uploadId);
    }
  } catch {
    // Storage refused or a record this page cannot read: no hint, nothing else changes.
  }
  return ids;
}

export function deleteRecord(file) {
  localStorage.removeItem(recordKey(file));
}
