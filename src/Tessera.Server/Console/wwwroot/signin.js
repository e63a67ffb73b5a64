// Whether the server needs a key, and the sign-in form when it does. The usage endpoint answers both questions: with
// the placeholder token, 200 means open mode; with a key, 200 names the key's project.
import { api, ApiError, OPEN_MODE_TOKEN, session } from './api.js';
import { clearAlert, showError } from './alerts.js';

const form = document.getElementById('sign-in');
const keyInput = document.getElementById('api-key');
const signOutButton = document.getElementById('sign-out');

/**
 * Resolves with the usage answer once the page may use the API: at once in open mode or with a key this tab kept,
 * else after the user signs in with a key the server accepts.
 */
export async function signIn() {
  const open = await tryToken(OPEN_MODE_TOKEN);
  if (open.usage) {
    session.setOpenMode(true);
    session.signOut();
    return open.usage;
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
