// The Upload region: pick or drop a file, choose its purpose, watch it go up (percent, rate, time left), cancel it.
// Picking a file this page started before, whose upload the server still holds, continues it at once. Each upload,
// new or resumed, checks its parts' CRC32Cs or not as the checkbox says when it is started. One upload runs at a time:
// a file started meanwhile waits in the queue (upload-queue.js), and the form's fields are for the next one.
import { showError, clearAlert } from './alerts.js';
import { formatDuration, formatPercent, formatRate } from './format.js';
import { FileUpload, isAbort } from './upload-engine.js';
import { isQuotaRefusal, settleQuotaRefusal } from './quota-refusal.js';
import { enqueue, sameFile, takeNext } from './upload-queue.js';
import { reloadFiles } from './files.js';
import { markSending, refreshPending, showReceived } from './pending.js';
import { findResumable } from './resume-match.js';
import { refreshUsage } from './usage.js';

/** The status line and bar change at most this often (5 times a second). */
const REFRESH_MS = 200;

/** Least time between two reads of the usage while an upload's parts are acknowledged. */
const USAGE_REFRESH_MS = 2000;

/** The rate is measured over the last few seconds, so it follows changes without jumping at every part. */
const RATE_WINDOW_MS = 4000;

/** The purpose picked last, so the next visit starts with it. */
const PURPOSE_ITEM = 'tessera.uploadPurpose';

const region = document.getElementById('upload');
const fileInput = document.getElementById('upload-file');
const purposeSelect = document.getElementById('upload-purpose');
const verifyBox = document.getElementById('upload-verify');
const startButton = document.getElementById('upload-start');
const run = document.getElementById('upload-run');
const nameText = document.getElementById('upload-name');
const idText = document.getElementById('upload-id');
const settingsText = document.getElementById('upload-settings');
const bar = document.getElementById('upload-progress');
const status = document.getElementById('upload-status');
const cancelButton = document.getElementById('upload-cancel');
// The status line changes five times a second, too often to be read out; how an upload ended is announced here.
const outcome = document.getElementById('upload-outcome');

let current = null;

export function initUploadView() {
  rememberPurpose();
  fileInput.addEventListener('change', () => picked());
  startButton.addEventListener('click', () => startNew());
  cancelButton.addEventListener('click', () => cancelCurrent());

  region.addEventListener('dragover', (event) => {
    if (!event.dataTransfer?.types.includes('Files')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    region.classList.add('dragging');
  });
  region.addEventListener('dragleave', (event) => {
    if (!region.contains(event.relatedTarget)) region.classList.remove('dragging');
  });
  region.addEventListener('drop', (event) => {
    event.preventDefault();
    region.classList.remove('dragging');
    if (!event.dataTransfer?.files.length) return;
    fileInput.files = event.dataTransfer.files;
    picked();
  });
}

function rememberPurpose() {
  try {
    const kept = localStorage.getItem(PURPOSE_ITEM);
    if (kept && [...purposeSelect.options].some((option) => option.value === kept)) purposeSelect.value = kept;
  } catch {
    // Storage refused: the page's default stands.
  }
  purposeSelect.addEventListener('change', () => {
    try {
      localStorage.setItem(PURPOSE_ITEM, purposeSelect.value);
    } catch {
      // Storage refused: nothing else changes.
    }
  });
}

/** Called when the pending list cancelled an upload: if it is this tab's, stop sending it. */
export function uploadCancelledElsewhere(uploadId) {
  if (current?.uploadId === uploadId) {
    current.cancel({ onServer: false }).catch(() => {});
  }
}

/**
 * A file was picked: continue its upload if this page left one the server still holds (after the upload running now,
 * if one is).
 */
async function picked() {
  const file = fileInput.files?.[0];
  if (!file) return;
  let record;
  try {
    record = await findResumable(file);
  } catch (error) {
    showError(`Could not check for an earlier upload of ${file.name}`, error);
    return;
  }
  if (!record || fileInput.files?.[0] !== file) return;
  const entry = { file, purpose: record.purpose ?? purposeSelect.value, verify: verifyBox.checked };
  if (current) {
    queueBehind(entry);
    return;
  }
  if (record.purpose) purposeSelect.value = record.purpose;
  await runUpload(entry, record);
}

async function startNew() {
  const file = fileInput.files?.[0];
  if (!file) {
    fileInput.focus();
    if (!current) {
      status.textContent = 'Pick a file first.';
      run.hidden = false;
    }
    return;
  }
  const entry = { file, purpose: purposeSelect.value, verify: verifyBox.checked };
  if (current) {
    queueBehind(entry);
    return;
  }
  await startEntry(entry);
}

/** Queues a file behind the running upload, unless it is that very file or waits already. */
function queueBehind(entry) {
  if (current && sameFile(current.file, entry.file)) return;
  enqueue(entry);
}

/** Starts a queued or picked file: its earlier upload continues if the server still holds it. */
async function startEntry(entry) {
  let record = null;
  try {
    record = await findResumable(entry.file);
  } catch {
    // Could not tell: start a new upload.
  }
  if (current) {
    queueBehind(entry);
    return;
  }
  await runUpload(record?.purpose ? { ...entry, purpose: record.purpose } : entry, record);
}

function startNextInQueue() {
  const next = takeNext();
  if (next) startEntry({ ...next, queued: true });
}

async function runUpload({ file, purpose, verify, queued = false }, record) {
  let completing = false;
  /** Every part is up: the bar stays full from here and the status says what happens next. */
  const finishing = (text) => {
    show();
    completing = true;
    bar.value = bar.max;
    status.textContent = text;
  };
  const upload = new FileUpload(file, purpose, {
    verify,
    onCreated: (uploadId) => {
      idText.textContent = uploadId;
      idText.dataset.uploadId = uploadId;
      markSending(uploadId);
      refreshPending();
      refreshUsage();
    },
    onCompleting: () => finishing(upload.verify ? '100% · Every part’s CRC32C matched; completing…' : '100% · Completing (parts not checked)…'),
  });
  current = upload;
  // A file that waited its turn leaves in view the alert of the upload before it, which names its file.
  if (!queued) clearAlert();
  run.hidden = false;
  nameText.textContent = upload.file.name;
  // The form's fields may change for the next file; what this one was started with shows here.
  settingsText.textContent = `${upload.purpose} · ${upload.verify ? 'parts checked' : 'parts not checked'}`;
  idText.textContent = '';
  delete idText.dataset.uploadId;
  bar.max = Math.max(upload.total, 1);
  bar.value = 0;
  cancelButton.hidden = false;
  cancelButton.disabled = false;
  status.textContent = record ? 'Resuming…' : 'Starting…';
  outcome.textContent = '';

  const samples = [];
  let usageAt = { received: 0, time: -Infinity };
  function show() {
    if (completing || upload.cancelled) return;
    const now = performance.now();
    const done = upload.done();
    samples.push({ at: now, done });
    while (samples.length > 2 && now - samples[0].at > RATE_WINDOW_MS) samples.shift();
    const first = samples[0];
    const seconds = (now - first.at) / 1000;
    const rate = seconds > 0.5 ? Math.max(0, done - first.done) / seconds : NaN;
    bar.value = upload.total === 0 ? 1 : done;
    const left = rate > 0 ? (upload.total - done) / rate : NaN;
    const rateText = Number.isFinite(rate) ? formatRate(rate) : '… MiB/s';
    const parts = navigator.onLine
      ? [formatPercent(done, upload.total), rateText, `${formatDuration(left)} left`]
      : [formatPercent(done, upload.total), 'offline: waiting for the network to come back'];
    status.textContent = `${upload.resuming ? 'Resuming: ' : ''}${parts.join(' · ')}`;
    if (upload.uploadId) showReceived(upload.uploadId, upload.received());
    // The stored bytes count each acknowledged part: a usage that stayed at 0 B beside a bar at half way read as
    // if nothing had been kept.
    if (upload.received() !== usageAt.received && now - usageAt.time >= USAGE_REFRESH_MS) {
      usageAt = { received: upload.received(), time: now };
      refreshUsage();
    }
  }
  const ticker = setInterval(show, REFRESH_MS);

  try {
    const completed = await upload.start(record);
    clearInterval(ticker);
    markSending(null);
    bar.value = bar.max;
    const checked = upload.verify ? ' (every part’s CRC32C checked)' : ' (parts not checked)';
    status.textContent = `Uploaded as ${completed.file?.id ?? completed.id}${checked}.`;
    outcome.textContent = `${upload.file.name} uploaded.`;
    await Promise.all([reloadFiles(), refreshUsage(), refreshPending()]);
  } catch (error) {
    clearInterval(ticker);
    markSending(null);
    if (upload.cancelled || isAbort(error)) {
      try {
        await upload.cancellation;
        status.textContent = 'Cancelled.';
        outcome.textContent = `The upload of ${upload.file.name} was cancelled.`;
      } catch (cancelError) {
        status.textContent = 'Stopped, but the server did not confirm the cancel.';
        showError(`Could not cancel the upload of ${upload.file.name}`, cancelError);
      }
    } else if (isQuotaRefusal(error)) {
      showError(`Could not upload ${upload.file.name}`, error);
      outcome.textContent = `The upload of ${upload.file.name} was refused: the project's quota is reached.`;
      status.textContent = await settleQuotaRefusal(upload, completing, (text) => { status.textContent = text; });
    } else {
      status.textContent = `Failed: ${error?.message ?? error}`;
      outcome.textContent = `The upload of ${upload.file.name} failed.`;
      showError(`Could not upload ${upload.file.name}`, error);
    }
    await Promise.all([refreshUsage(), refreshPending()]);
  } finally {
    cancelButton.hidden = true;
    cancelButton.disabled = true;
    if (current === upload) current = null;
    // A browser fires no change for the file its input holds already: emptied, picking this file again (to resume
    // it, say) is seen.
    if (fileInput.files?.[0] && sameFile(fileInput.files[0], file)) fileInput.value = '';
    startNextInQueue();
  }
}

async function cancelCurrent() {
  const upload = current;
  if (!upload) return;
  cancelButton.disabled = true;
  status.textContent = 'Cancelling…';
  // The run's own ending reports how the cancel went.
  await upload.cancel().catch(() => {});
}
