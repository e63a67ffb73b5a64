// The Pending uploads region: the project's uploads still open (GET /uploads, Tessera's extension), each with how
// much of it the server holds, and a button that cancels it on the server.
import { api, pages } from './api.js';
import { showError } from './alerts.js';
import { formatBytes, formatPercent, timeElement } from './format.js';
import { recordedUploadIds } from './resume-records.js';
import { refreshUsage } from './usage.js';

const rows = document.getElementById('pending-rows');
const emptyNote = document.getElementById('pending-empty');
const refreshButton = document.getElementById('pending-refresh');

const cancelListeners = [];
let generation = 0;
let sendingHere = null;

/** The upload this tab is sending now (null when none): its row needs no hint on how to resume it. */
export function markSending(uploadId) {
  sendingHere = uploadId;
}

/** Called with an upload's id after it was cancelled here, so a run of it in this tab stops too. */
export function onPendingCancelled(listener) {
  cancelListeners.push(listener);
}

export async function refreshPending() {
  const mine = ++generation;
  const uploads = [];
  try {
    for await (const page of pages('/uploads', { order: 'desc' })) uploads.push(...page.data);
  } catch (error) {
    showError('Could not list the pending uploads', error);
    return;
  }
  if (mine !== generation) return;
  const resumable = recordedUploadIds();
  resumable.delete(sendingHere);
  rows.replaceChildren(...uploads.map((upload) => uploadRow(upload, resumable.has(upload.id))));
  emptyNote.hidden = uploads.length > 0;
}

/**
 * Moves the row of an upload this tab is sending as its parts are acknowledged, in place (its Cancel button stays
 * where it is), so the list does not wait for a Refresh to show what the upload bar shows.
 */
export function showReceived(uploadId, receivedBytes) {
  const row = [...rows.children].find((candidate) => candidate.dataset.uploadId === uploadId);
  const cell = row?.querySelector('td[data-bytes]');
  if (!cell) return;
  const total = Number(cell.dataset.total);
  const have = Math.min(receivedBytes, total);
  cell.dataset.bytes = String(receivedBytes);
  cell.querySelector('progress').value = total === 0 ? 1 : have;
  cell.querySelector('span').textContent = receivedText(have, total);
}

function receivedText(have, total) {
  return `${formatBytes(have)} of ${formatBytes(total)} (${formatPercent(have, total)})`;
}

function uploadRow(upload, resumableHere) {
  const row = document.createElement('tr');
  row.dataset.uploadId = upload.id;

  const name = document.createElement('td');
  name.className = 'name';
  name.textContent = upload.filename;
  if (resumableHere) {
    // After a reload or a closed tab nothing else tells a person that picking the file again continues it.
    const hint = document.createElement('small');
    hint.className = 'muted resume-hint';
    hint.textContent = 'Started in this browser: pick the same file under Upload to resume it.';
    name.append(document.createElement('br'), hint);
  }
  const purpose = document.createElement('td');
  purpose.textContent = upload.purpose;

  const received = document.createElement('td');
  const bar = document.createElement('progress');
  const have = Math.min(upload.received_bytes ?? 0, upload.bytes);
  bar.max = Math.max(upload.bytes, 1);
  bar.value = upload.bytes === 0 ? 1 : have;
  bar.setAttribute('aria-label', `Received of ${upload.filename}`);
  const text = document.createElement('span');
  text.textContent = receivedText(have, upload.bytes);
  received.dataset.bytes = String(upload.received_bytes ?? 0);
  received.dataset.total = String(upload.bytes);
  received.append(bar, text);

  const expires = document.createElement('td');
  expires.append(timeElement(upload.expires_at, 'never'));

  const actions = document.createElement('td');
  actions.className = 'actions';
  const cancel = document.createElement('button');
  cancel.type = 'button';
  cancel.className = 'danger';
  cancel.textContent = 'Cancel';
  cancel.title = `Cancel the upload of ${upload.filename}`;
  cancel.addEventListener('click', () => cancelUpload(upload, cancel));
  actions.append(cancel);

  row.append(name, purpose, received, expires, actions);
  return row;
}

async function cancelUpload(upload, button) {
  button.disabled = true;
  try {
    await api(`/uploads/${encodeURIComponent(upload.id)}/cancel`, { method: 'POST' });
  } catch (error) {
    button.disabled = false;
    showError(`Could not cancel the upload of ${upload.filename}`, error);
    return;
  }
  for (const listener of cancelListeners) listener(upload.id);
  await Promise.all([refreshPending(), refreshUsage()]);
}

export function initPending() {
  refreshButton.addEventListener('click', refreshPending);
}
