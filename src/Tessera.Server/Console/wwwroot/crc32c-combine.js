// zlib's crc32_combine (crc32.c, multmodp and x2nmodp) for CRC-32C: the CRC of two pieces of data one after the
// other, from each piece's CRC and the second's length, so the page gets the whole file's CRC32C from its parts' with
// no second pass over the bytes. The server combines the same way (Crc32C.Combine); neither hash-wasm nor WebCrypto
// offers it.

/** CRC-32C's polynomial, reflected (Castagnoli). */
const POLYNOMIAL = 0x82f63b78;

/** a(x) * b(x) modulo the polynomial, in the reflected bit order CRCs use (x^0 is the top bit). */
function multiplyModP(a, b) {
  let m = 0x80000000;
  let product = 0;
  for (;;) {
    if (a & m) {
      product ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLYNOMIAL : b >>> 1;
  }
  return product >>> 0;
}

/** x^(2^k) modulo the polynomial, for k = 0..31: the powers x2nModP multiplies together. */
const X2N = (() => {
  const table = [1 << 30];
  for (let k = 1; k < 32; k += 1) table.push(multiplyModP(table[k - 1], table[k - 1]));
  return table;
})();

/** x^(n * 2^k) modulo the polynomial. Plain arithmetic on n: a file's bit count passes 2^32. */
function x2nModP(n, k) {
  let product = 0x80000000;
  while (n > 0) {
    if (n % 2 === 1) product = multiplyModP(X2N[k & 31], product);
    n = Math.floor(n / 2);
    k += 1;
  }
  return product;
}

/** The CRC32C of A followed by B, given CRC32C(A), CRC32C(B) and B's length in bytes. */
export function crc32cCombine(first, second, secondLength) {
  return (multiplyModP(x2nModP(secondLength, 3), first) ^ second) >>> 0;
}

/** The CRC32C of pieces one after the other, from `[{ crc, bytes }]` in order; 0 (the empty data's) for none. */
export function crc32cOfPieces(pieces) {
  let crc = 0;
  for (const piece of pieces) crc = crc32cCombine(crc, piece.crc, piece.bytes);
  return crc;
}
