// The Usage region: what the project holds against its quotas (GET /project/usage).
import { api } from './api.js';
import { showError } from './alerts.js';
import { formatBytes, formatCount } from './format.js';

const FORMATS = { bytes: formatBytes, files: formatCount, pending_uploads: formatCount };

/** Fills the region from a usage answer already in hand (sign-in reads one). */
export function showUsage(answer) {
  for (const [name, format] of Object.entries(FORMATS)) {
    const value = answer.usage?.[name] ?? 0;
    const used = document.querySelector(`[data-usage="${name}"]`);
    used.dataset.value = String(value);
    used.textContent = format(value);
    const limit = answer.limits?.[name];
    const cap = document.querySelector(`[data-limit="${name}"]`);
    cap.dataset.value = limit === null || limit === undefined ? '' : String(limit);
    cap.textContent = limit === null || limit === undefined ? 'unlimited' : format(limit);
  }
}

export async function refreshUsage() {
  try {
    showUsage(await api('/project/usage'));
  } catch (error) {
    showError('Could not read the usage', error);
  }
}
