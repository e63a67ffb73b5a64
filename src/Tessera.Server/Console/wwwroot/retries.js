// Trying a request again: after a failure on the network or a 429/5xx, with growing pauses, and while the browser is
// offline, as long as it takes.
import { ApiError } from './api.js';

const MAX_ATTEMPTS = 8;
const MAX_BACKOFF_MS = 15_000;

export function abortError() {
  return new DOMException('The upload was stopped.', 'AbortError');
}

export function isAbort(error) {
  return error?.name === 'AbortError';
}

/**
 * Runs `attempt` until it succeeds, a final error, or MAX_ATTEMPTS. Pauses between tries double from half a second,
 * with jitter so parallel parts do not retry in step; a Retry-After from the server wins. While the browser knows it
 * is offline it waits for the network to come back, however long, without spending tries.
 */
export async function withRetries(attempt, signal, beforeRetry = () => {}) {
  for (let tries = 1; ; tries += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (isAbort(error) || signal.aborted || !(error instanceof ApiError) || !error.retryable) throw error;
      beforeRetry();
      if (error.status === 0 && !navigator.onLine) {
        await backOnline(signal);
        tries -= 1;
        continue;
      }
      if (tries >= MAX_ATTEMPTS) throw error;
      const backoff = Math.min(MAX_BACKOFF_MS, 500 * 2 ** (tries - 1)) * (0.75 + Math.random() / 2);
      await sleep(error.retryAfter !== null ? error.retryAfter * 1000 : backoff, signal);
    }
  }
}

function backOnline(signal) {
  return new Promise((resolve, reject) => {
    const onOnline = () => { signal.removeEventListener('abort', onAbort); resolve(); };
    const onAbort = () => { window.removeEventListener('online', onOnline); reject(abortError()); };
    window.addEventListener('online', onOnline, { once: true });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = () => { clearTimeout(timer); reject(abortError()); };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
