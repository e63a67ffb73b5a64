// Continuing an upload a former run of the same file started (resume-records.js says which): whether the server still
// has it pending, and which of its parts the server holds that are this file's, so only the rest are sent.
import { api, ApiError } from './api.js';
import { toHeaderValue } from './crc32c.js';
import { partCount, sliceOf } from './file-parts.js';
import { deleteRecord, readRecord } from './resume-records.js';

/**
 * The record of the pending upload a former run of this file left, or null when there is none or the server no longer
 * has it pending (the record is then forgotten).
 */
export async function findResumable(file) {
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

/**
 * The parts of `record`'s upload the server still holds, by index: those recorded and, when checking (`reader`, from
 * crc32cReader), whose CRC32C the server gives as the slice's (a part stored before checksums existed has none and is
 * sent again); then, when checking, any other part the server has whose size and CRC32C match a missing slice (a part
 * whose answer was lost before it could be recorded). Without the check a recorded part of the right size is kept,
 * and an unrecorded one cannot be matched to its slice, which is simply sent again. The CRC32C of every slice hashed
 * is put in `crcs`, by index, for complete.
 */
export async function partsStillHeld(file, record, { reader, crcs, signal }) {
  const { partSize } = record;
  const listing = await api(`/uploads/${encodeURIComponent(record.uploadId)}/parts`, { signal });
  const held = new Map(listing.data.map((part) => [part.id, part]));
  const count = partCount(file.size, partSize);
  const slice = (index) => sliceOf(file, index, partSize);
  const matches = async (part, index) => {
    if (!part.crc32c) return false;
    crcs[index] ??= (await reader.read(slice(index))).crc;
    return part.crc32c === toHeaderValue(crcs[index]);
  };

  const parts = new Map();
  for (const [key, partId] of Object.entries(record.parts ?? {})) {
    const index = Number(key);
    const part = held.get(partId);
    if (Number.isInteger(index) && index < count && part && part.bytes === slice(index).size) {
      held.delete(partId);
      if (!reader || await matches(part, index)) parts.set(index, partId);
    }
  }

  if (!reader) return parts;
  for (let index = 0; index < count && held.size > 0; index += 1) {
    if (parts.has(index)) continue;
    const size = slice(index).size;
    for (const part of [...held.values()].filter((candidate) => candidate.bytes === size && candidate.crc32c)) {
      if (await matches(part, index)) {
        parts.set(index, part.id);
        held.delete(part.id);
        break;
      }
    }
  }
  return parts;
}
