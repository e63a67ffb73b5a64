// How numbers, sizes and times read on the page.

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/**
 * Binary units with one decimal, as the CLI and the server's messages print them: 44000000 bytes read "42.0 MiB",
 * so a size here matches the one in a quota refusal. Past 1023.95 of a unit the next one reads better than "1024.0 KiB".
 */
export function formatBytes(bytes) {
  let value = Number(bytes);
  if (Math.abs(value) < 1024) return `${value} B`;
  let unit = 0;
  while (Math.abs(value) >= 1023.95 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${UNITS[unit]}`;
}

export function formatCount(count) {
  return Number(count).toLocaleString('en');
}

/** A Unix time in seconds, in the reader's own time zone. */
export function formatTime(seconds) {
  return new Date(seconds * 1000).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** A <time> element for a Unix time, or the text `none` when there is none. */
export function timeElement(seconds, none) {
  if (seconds === null || seconds === undefined) return document.createTextNode(none);
  const time = document.createElement('time');
  time.dateTime = new Date(seconds * 1000).toISOString();
  time.textContent = formatTime(seconds);
  return time;
}

export function formatRate(bytesPerSecond) {
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

export function formatDuration(seconds) {
  if (!Number.isFinite(seconds)) return '…';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

export function formatPercent(done, total) {
  if (total <= 0) return '100%';
  return `${Math.floor((done / total) * 100)}%`;
}
