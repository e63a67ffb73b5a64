// How a file is cut into parts: part `index` holds bytes index * partSize up to the next part's first, the last one
// what is left.

export function partCount(size, partSize) {
  return Math.ceil(size / partSize);
}

/** Part `index` of `file` as a Blob, read only when sent or hashed. */
export function sliceOf(file, index, partSize) {
  return file.slice(index * partSize, Math.min((index + 1) * partSize, file.size));
}
