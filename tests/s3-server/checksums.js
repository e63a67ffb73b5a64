'use strict';
// The CRC32C checks S3 makes and s3rver 3.7.1 does not: s3rver neither reads the x-amz-checksum-* headers nor the
// checksums in a CompleteMultipartUpload body, so it stores bytes that do not match the checksum they came with.
// These checks answer as S3 does (400 BadDigest, nothing stored), so a test sees what a real store would do:
// - PutObject and UploadPart with x-amz-checksum-crc32c: the body's CRC32C must match it;
// - CompleteMultipartUpload: each part named with a ChecksumCRC32C must hold bytes of that CRC32C, and with
//   x-amz-checksum-crc32c the parts together must (a full-object checksum), in the order named.
// Only CRC32C is checked (Tessera's checksum); bodies are read whole first, which a part (5 MiB) allows.
//
// A test can also have bodies damaged on their way in, as a faulty network or proxy would: after
// POST /_damage/BUCKET?skip=K&count=N, the K body uploads (PutObject, UploadPart) to BUCKET that come next arrive
// whole and the N after them with their first byte flipped.

const fs = require('fs');
const path = require('path');
const { Readable } = require('stream');

const CRC32C_HEADER = 'x-amz-checksum-crc32c';

// The reflected Castagnoli polynomial, one byte at a time: a test server's bodies are a few MiB.
const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** A running CRC32C: start with 0, feed the bytes in order, the result is the CRC32C of all of them. */
function crc32c(crc, bytes) {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** S3's header encoding: base64 of the 4 big-endian bytes. */
function toHeaderValue(crc) {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(crc);
  return bytes.toString('base64');
}

/** The checksum headers a request carries (x-amz-checksum-*, x-amz-sdk-checksum-algorithm), by lower-case name. */
function checksumHeaders(headers) {
  const found = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith('x-amz-checksum-') || name === 'x-amz-sdk-checksum-algorithm') found[name] = value;
  }
  return found;
}

/** The parts a CompleteMultipartUpload body names, each with its ChecksumCRC32C (null when it names none). */
function completedParts(xml) {
  const element = (text, name) => {
    const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(text);
    return match ? match[1] : null;
  };
  return [...xml.matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map(([, part]) => ({
    partNumber: Number(element(part, 'PartNumber')),
    crc32c: element(part, 'ChecksumCRC32C'),
  }));
}

/**
 * Reads the request's body whole and puts it back, so the handlers after still read it; later calls return the
 * same bytes.
 */
async function readBody(ctx) {
  if (ctx.state.body) return ctx.state.body;
  const chunks = [];
  for await (const chunk of ctx.req) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  ctx.state.body = body;
  // Koa's ctx.request keeps the original request (headers and all); only the body's readers use ctx.req.
  ctx.req = Readable.from([body], { objectMode: false });
  return body;
}

function isCompleteMultipartUpload(ctx) {
  return ctx.method === 'POST' && 'uploadId' in ctx.query;
}

function isBodyUpload(ctx) {
  return ctx.method === 'PUT' && !('x-amz-copy-source' in ctx.headers) && ctx.path.split('/').length > 2;
}

function badDigest(ctx, message) {
  ctx.status = 400;
  ctx.type = 'application/xml';
  ctx.body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>BadDigest</Code><Message>${message}</Message></Error>`;
}

/** The CRC32C of a file's bytes alone, and continued from <whole>. */
async function crc32cOfFile(file, whole) {
  let own = 0;
  for await (const chunk of fs.createReadStream(file)) {
    own = crc32c(own, chunk);
    whole = crc32c(whole, chunk);
  }
  return [own, whole];
}

const damageByBucket = new Map();

function sendDamageUsage(ctx) {
  ctx.status = 400;
  ctx.body = 'usage: POST /_damage/BUCKET?skip=K&count=N\n';
}

/**
 * Middleware, before any other: answers the damage control requests (which are not S3's, so not logged) and flips a
 * byte of the bodies it was told to damage.
 */
async function damageBodies(ctx, next) {
  const [, first, bucket] = ctx.path.split('/');
  if (first === '_damage') {
    const skip = Number(ctx.query.skip || 0);
    const count = Number(ctx.query.count || 1);
    if (ctx.method !== 'POST' || !bucket || !Number.isInteger(skip) || !Number.isInteger(count)) return sendDamageUsage(ctx);
    damageByBucket.set(decodeURIComponent(bucket), { skip, count });
    ctx.status = 204;
    return;
  }
  const damage = damageByBucket.get(decodeURIComponent(first || ''));
  if (damage && damage.count > 0 && isBodyUpload(ctx)) {
    const body = await readBody(ctx);
    if (damage.skip > 0) {
      damage.skip--;
    } else if (body.length > 0) {
      damage.count--;
      // In place: the stream readBody left for the handlers reads this same buffer.
      body[0] ^= 0xff;
    }
  }
  return next();
}

/** Middleware: refuses, as S3 does, a request whose CRC32C does not match the bytes it names. */
function verifyChecksums(uploadsFolder) {
  return async (ctx, next) => {
    const expected = ctx.headers[CRC32C_HEADER];
    if (isBodyUpload(ctx) && expected !== undefined) {
      const actual = toHeaderValue(crc32c(0, await readBody(ctx)));
      if (actual !== expected) {
        return badDigest(ctx, `The CRC32C you specified (${expected}) did not match the calculated checksum (${actual}).`);
      }
    } else if (isCompleteMultipartUpload(ctx)) {
      const [, bucket] = ctx.path.split('/');
      const folder = path.join(uploadsFolder(decodeURIComponent(bucket)), String(ctx.query.uploadId));
      const parts = completedParts((await readBody(ctx)).toString('utf8'));
      let whole = 0;
      for (const part of parts) {
        const file = path.join(folder, String(part.partNumber));
        // A part that is not there is s3rver's to report (InvalidPart).
        if (!fs.existsSync(file)) return next();
        let own;
        [own, whole] = await crc32cOfFile(file, whole);
        if (part.crc32c !== null && toHeaderValue(own) !== part.crc32c) {
          return badDigest(ctx, `Part ${part.partNumber}'s CRC32C (${part.crc32c}) does not match its bytes.`);
        }
      }
      if (expected !== undefined && toHeaderValue(whole) !== expected) {
        return badDigest(ctx, `The CRC32C you specified (${expected}) did not match the object's (${toHeaderValue(whole)}).`);
      }
    }
    return next();
  };
}

module.exports = { checksumHeaders, completedParts, readBody, isCompleteMultipartUpload, verifyChecksums, damageBodies };
