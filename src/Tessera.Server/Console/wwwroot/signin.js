// Whether the server needs a key, and the sign-in form when it does. /console/auth says whether keys are configured,
// without a key and without a refusal (a 401 would be logged in the browser's console on every load); with a key, the
// usage endpoint's 200 names the key's project.
import { api, ApiError, errorFrom, OPEN_MODE_TOKEN, session, unreachable } from './api.js';
import { clearAlert, showError } from './alerts.js';

const form = document.getElementById('sign-in');
const keyInput = document.getElementById('api-key');
const signOutButton = document.getElementById('sign-out');

/**
 * Resolves with the usage answer once the page may use the API: at once in open mode or with a key this tab kept,
 * else after the user signs in with a key the server accepts.
 */
export async function signIn() {
  if (!(await keysRequired())) {
    session.setOpenMode(true);
    session.signOut();
    return api('/project/usage', { token: OPEN_MODE_TOKEN });
  }

  const kept = session.key();
  if (kept) {
    const answer = await tryToken(kept);
    if (answer.usage) {
      signOutButton.hidden = false;
      return answer.usage;
    }
    session.signOut();
  }

  return askForKey();
}

async function keysRequired() {
  let response;
  try {
    response = await fetch('/console/auth', { cache: 'no-store', credentials: 'omit' });
  } catch (error) {
    throw unreachable(error);
  }
  if (!response.ok) throw await errorFrom(response);
  return (await response.json()).keys_required !== false;
}

/** `{usage}` when the server takes this token, `{refused}` when it answers 401; other failures are thrown. */
async function tryToken(token) {
  try {
    return { usage: await api('/project/usage', { token }) };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return { refused: error };
    throw error;
  }
}

function askForKey() {
  document.getElementById('loading').hidden = true;
  form.hidden = false;
  keyInput.focus();
  return new Promise((resolve) => {
    const onSubmit = async (event) => {
      event.preventDefault();
      const key = keyInput.value.trim();
      if (!key) return;
      let answer;
      try {
        answer = await tryToken(key);
      } catch (error) {
        showError('Could not sign in', error);
        return;
      }
      if (answer.refused) {
        showError('Could not sign in', answer.refused);
        keyInput.select();
        return;
      }

      session.signIn(key);
      keyInput.value = '';
      form.hidden = true;
      signOutButton.hidden = false;
      clearAlert();
      form.removeEventListener('submit', onSubmit);
      resolve(answer.usage);
    };
    form.addEventListener('submit', onSubmit);
  });
}

signOutButton.addEventListener('click', () => {
  session.signOut();
  // A fresh page forgets every name and number the key could see.
  location.reload();
});
