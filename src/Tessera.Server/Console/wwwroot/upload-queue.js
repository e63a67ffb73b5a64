// The files waiting their turn under Upload: one upload runs at a time, and a file started while one runs joins this
// list, in order, with the purpose and check it was started with. Each can be taken off before its turn.

const box = document.getElementById('upload-queue-box');
const list = document.getElementById('upload-queue');

/** {file, purpose, verify}, in the order they were added. */
const waiting = [];

/** Adds a file to the end of the queue; false when that very file already waits there. */
export function enqueue(entry) {
  if (waiting.some((other) => sameFile(other.file, entry.file))) return false;
  waiting.push(entry);
  render();
  return true;
}

/** The next entry, taken off the queue; null when none waits. */
export function takeNext() {
  const next = waiting.shift() ?? null;
  render();
  return next;
}

/** The same file picked twice: same name, size and modification time, as resume records tell files apart. */
export function sameFile(a, b) {
  return a.name === b.name && a.size === b.size && a.lastModified === b.lastModified;
}

function render() {
  box.hidden = waiting.length === 0;
  list.replaceChildren(...waiting.map((entry) => {
    const item = document.createElement('li');
    item.dataset.name = entry.file.name;
    const name = document.createElement('span');
    name.className = 'strong';
    name.textContent = entry.file.name;
    const details = document.createElement('span');
    details.className = 'muted';
    details.textContent = ` · ${entry.purpose} · ${entry.verify ? 'parts checked' : 'parts not checked'} `;
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'quiet';
    remove.textContent = 'Remove';
    remove.title = `Take ${entry.file.name} off the queue`;
    remove.addEventListener('click', () => {
      const index = waiting.indexOf(entry);
      if (index >= 0) waiting.splice(index, 1);
      render();
    });
    item.append(name, details, remove);
    return item;
  }));
}
