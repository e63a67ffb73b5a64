// An upload the project's quota refused (507 quota_exceeded, x-should-retry: false): final at once, never retried.
// Refused while its parts went up (the bytes quota), resuming would be refused the same until room is freed, so the
// page forgets the upload and cancels it on the server, where its parts stop counting against the quota. Refused at
// complete (the files quota), every part is held and the server keeps the upload pending for a later complete, so the
// page keeps it too: picking the file again, once a file is deleted, completes it.
import { ApiError } from './api.js';

export function isQuotaRefusal(error) {
  return error instanceof ApiError && error.code === 'quota_exceeded';
}

/**
 * Does what the refusal of `upload` calls for and resolves with what the status line says then. `completing`: the
 * refusal answered the complete request. `say(text)` shows a step while the cancel is on its way.
 */
export async function settleQuotaRefusal(upload, completing, say) {
  const reached = 'Refused: the project’s quota is reached.';
  if (completing) {
    return `${reached} Every part is held: delete a file, then pick ${upload.file.name} again to complete it.`;
  }
  // Refused at create (the pending uploads quota): there is nothing to cancel.
  if (!upload.uploadId) return reached;
  say(`${reached} Cancelling the upload…`);
  try {
    await upload.cancel();
    return `${reached} The upload was cancelled.`;
  } catch {
    return `${reached} Cancel the upload under Pending uploads to free its parts.`;
  }
}
