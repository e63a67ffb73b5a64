// The Files region: the project's files a page at a time, filtered by purpose on the server and by name here;
// each file's id copied with a click (what the API and the CLI ask for); download and delete (after a confirmation).
import { api, ApiError } from './api.js';
import { showError } from './alerts.js';
import { formatBytes, timeElement } from './format.js';
import { refreshUsage } from './usage.js';
import { downloadFile } from './download.js';

const PAGE_SIZE = 100;

/** How long "Copied" shows beside an id. */
const COPIED_MS = 3000;

const rows = document.getElementById('files-rows');
const purposeFilter = document.getElementById('files-purpose');
const nameFilter = document.getElementById('files-name');
const moreButton = document.getElementById('files-more');
const emptyNote = document.getElementById('files-empty');
const dialog = document.getElementById('delete-dialog');

let lastId = null;
// A newer listing (another purpose, a refresh) makes the answers of an older one moot.
let generation = 0;

/** Lists the first page again, as the filters say. */
export async function reloadFiles() {
  generation += 1;
  lastId = null;
  rows.replaceChildren();
  await loadPage(generation);
}

async function loadPage(mine) {
  let page;
  try {
    page = await api('/files', { query: { limit: PAGE_SIZE, order: 'desc', purpose: purposeFilter.value, after: lastId } });
  } catch (error) {
    showError('Could not list the files', error);
    return;
  }
  if (mine !== generation) return;

  for (const file of page.data) {
    if (!rows.querySelector(`tr[data-file-id="${CSS.escape(file.id)}"]`)) rows.append(fileRow(file));
  }
  lastId = page.last_id ?? lastId;
  moreButton.hidden = !page.has_more;
  applyNameFilter();
}

function fileRow(file) {
  const row = document.createElement('tr');
  row.dataset.fileId = file.id;
  row.dataset.name = file.filename;

  const name = cell(file.filename, 'name');
  const id = idCell(file);
  const purpose = cell(file.purpose);
  const size = cell(formatBytes(file.bytes), 'num');
  size.dataset.bytes = String(file.bytes);
  const created = cell('');
  created.append(timeElement(file.created_at, ''));
  const expires = cell('');
  expires.append(timeElement(file.expires_at, 'never'));

  const actions = cell('', 'actions');
  const download = button('Download', `Download ${file.filename}`);
  download.addEventListener('click', () => downloadFile(file, download));
  const remove = button('Delete', `Delete ${file.filename}`, 'danger');
  remove.addEventListener('click', () => confirmDelete(file, row, remove));
  actions.append(download, remove);

  row.append(name, id, purpose, size, created, expires, actions);
  return row;
}

/** The id as a button that copies it, and a short note saying it did. */
function idCell(file) {
  const td = cell('', 'file-id');
  const copy = document.createElement('button');
  copy.type = 'button';
  copy.className = 'copy-id';
  copy.setAttribute('aria-label', `Copy ${file.id}`);
  copy.title = `Copy the id of ${file.filename}`;
  const code = document.createElement('code');
  code.textContent = file.id;
  copy.append(code);
  const note = document.createElement('span');
  note.className = 'copied muted';
  note.setAttribute('role', 'status');
  let timer;
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(file.id);
      note.textContent = 'Copied';
    } catch {
      // No clipboard here (a page over plain http from another host is not a secure context) or the browser refused:
      // the id is selected instead, one key press from copied.
      const range = document.createRange();
      range.selectNodeContents(code);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      note.textContent = 'Selected: press Ctrl+C to copy';
    }
    clearTimeout(timer);
    timer = setTimeout(() => { note.textContent = ''; }, COPIED_MS);
  });
  td.append(copy, note);
  return td;
}

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

/** A button whose visible text is `text`; `title` tells which row it acts on without changing its name. */
function button(text, title, className) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.title = title;
  if (className) b.className = className;
  return b;
}

function applyNameFilter() {
  const wanted = nameFilter.value.trim().toLocaleLowerCase();
  let shown = 0;
  for (const row of rows.rows) {
    row.hidden = wanted !== '' && !row.dataset.name.toLocaleLowerCase().includes(wanted);
    if (!row.hidden) shown += 1;
  }
  emptyNote.hidden = shown > 0;
  emptyNote.textContent = rows.rows.length === 0 ? 'No files.' : 'No listed file matches that name.';
}

function confirmDelete(file, row, opener) {
  document.getElementById('delete-name').textContent = file.filename;
  const keep = document.getElementById('delete-keep');
  const confirm = document.getElementById('delete-confirm');
  const close = () => {
    keep.removeEventListener('click', close);
    confirm.removeEventListener('click', onConfirm);
    dialog.removeEventListener('close', close);
    if (dialog.open) dialog.close();
    if (opener.isConnected) opener.focus();
  };
  const onConfirm = async () => {
    close();
    await deleteFile(file, row);
  };
  keep.addEventListener('click', close);
  confirm.addEventListener('click', onConfirm);
  // Escape closes the dialog too, and means Keep.
  dialog.addEventListener('close', close);
  dialog.showModal();
}

async function deleteFile(file, row) {
  try {
    await api(`/files/${encodeURIComponent(file.id)}`, { method: 'DELETE' });
  } catch (error) {
    showError(`Could not delete ${file.filename}`, error);
    // 404: it is gone already (deleted elsewhere, or expired), so its row goes too.
    if (!(error instanceof ApiError) || error.status !== 404) return;
  }
  row.remove();
  applyNameFilter();
  await refreshUsage();
}

export function initFiles() {
  purposeFilter.addEventListener('change', reloadFiles);
  nameFilter.addEventListener('input', applyNameFilter);
  moreButton.addEventListener('click', () => loadPage(generation));
}
