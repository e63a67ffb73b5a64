// Downloads a file with the key in the Authorization header (a link cannot carry a header, and the key must not go
// in a URL). The answer becomes a Blob, which Chromium and Firefox keep on disk once it is large, then a link to
// that Blob is clicked so the browser saves it under the file's name.
import { api } from './api.js';
import { showError } from './alerts.js';

export async function downloadFile(file, button) {
  const label = button.textContent;
  button.disabled = true;
  button.textContent = 'Downloading…';
  try {
    const response = await api(`/files/${encodeURIComponent(file.id)}/content`, { raw: true });
    const blob = await response.blob();
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = file.filename;
    link.hidden = true;
    document.body.append(link);
    link.click();
    link.remove();
    // The browser has taken the Blob's address once the click is handled; a minute is ample for it to start.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  } catch (error) {
    showError(`Could not download ${file.filename}`, error);
  } finally {
    button.disabled = false;
    button.textContent = label;
  }
}
