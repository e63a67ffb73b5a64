// The page's one alert (role="alert"): an error said in plain words, with the request id when there is one.
import { ApiError } from './api.js';

const box = document.getElementById('alert');
const text = document.getElementById('alert-text');

document.getElementById('alert-dismiss').addEventListener('click', clearAlert);

export function showAlert(message) {
  text.textContent = message;
  box.hidden = false;
}

/** Shows what went wrong while doing `action` (e.g. "Could not delete a.csv"). */
export function showError(action, error) {
  if (error instanceof ApiError) {
    showAlert(error.describe(action));
  } else {
    showAlert(`${action}: ${error?.message ?? error}`);
    console.error(error);
  }
}

export function clearAlert() {
  box.hidden = true;
  text.textContent = '';
}
