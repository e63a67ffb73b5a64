// The console's entry point: find out whether a key is needed (and get one), then show the project.
import { session } from './api.js';
import { showError } from './alerts.js';
import { signIn } from './signin.js';
import { showUsage } from './usage.js';
import { initFiles, reloadFiles } from './files.js';
import { initPending, onPendingCancelled, refreshPending } from './pending.js';
import { initUploadView, uploadCancelledElsewhere } from './upload-view.js';

async function main() {
  let usage;
  try {
    usage = await signIn();
  } catch (error) {
    showError('Could not reach Tessera', error);
    return;
  } finally {
    document.getElementById('loading').hidden = true;
  }

  document.getElementById('project-name').textContent = usage.project;
  document.getElementById('who').hidden = false;
  document.getElementById('sign-out').hidden = session.isOpenMode();
  document.title = `${usage.project} · Tessera console`;
  showUsage(usage);

  initFiles();
  initPending();
  initUploadView();
  onPendingCancelled(uploadCancelledElsewhere);
  document.getElementById('console').hidden = false;
  await Promise.all([reloadFiles(), refreshPending()]);
}

main();
