'use strict';
// Starts s3rver for Tessera's tests: node server.js --port PORT --directory DIR [--exit-with-stdin]
// Prints "listening PORT" once it accepts connections, then "request METHOD URL CHECKSUMS" for every request it
// receives, so a test can count the requests of each kind and see the checksums each carried: CHECKSUMS is JSON,
// {"headers":{...},"parts":[...]}, the request's x-amz-checksum-* and x-amz-sdk-checksum-algorithm headers and, for
// a CompleteMultipartUpload, the parts its body names ({"partNumber":1,"crc32c":"..."}). With --exit-with-stdin it stops when its standard input closes, so a test
// process that dies without stopping it leaves no server behind.
//
// s3rver 3.7.1 answers ListMultipartUploads and AbortMultipartUpload with NotImplemented/MethodNotAllowed. Tessera's
// S3 store relies on both to leave nothing behind, so this launcher answers them as S3 does, over the folders s3rver
// keeps its unfinished uploads in (<directory>/<bucket>/._S3rver_uploads/<uploadId>/, the key in a file named "key").
// It also ignores the CRC32C checksums a request carries; checksums.js checks them as S3 does.

const fs = require('fs/promises');
const path = require('path');
const S3rver = require('s3rver');
const {
  checksumHeaders,
  completedParts,
  readBody,
  isCompleteMultipartUpload,
  verifyChecksums,
  damageBodies,
} = require('./checksums');

const UPLOADS_FOLDER = '._S3rver_uploads';

function option(name) {
  const index = process.argv.indexOf(`--${name}`);
  if (index < 0 || index + 1 >= process.argv.length) {
    console.error(`usage: node server.js --port PORT --directory DIR (missing --${name})`);
    process.exit(2);
  }
  return process.argv[index + 1];
}

const port = Number(option('port'));
const directory = option('directory');

function escapeXml(text) {
  return String(text).replace(/[<>&'"]/g, c => `&#${c.charCodeAt(0)};`);
}

function sendXml(ctx, status, xml) {
  ctx.status = status;
  ctx.type = 'application/xml';
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`;
}

function sendError(ctx, status, code, message) {
  sendXml(ctx, status, `<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`);
}

function uploadsFolder(bucket) {
  return path.join(directory, bucket, UPLOADS_FOLDER);
}

async function listMultipartUploads(ctx, bucket) {
  const prefix = ctx.query.prefix || '';
  let ids = [];
  try {
    ids = await fs.readdir(uploadsFolder(bucket));
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
  }
  const uploads = [];
  for (const id of ids.sort()) {
    const keyFile = path.join(uploadsFolder(bucket), id, 'key');
    let key;
    let initiated;
    try {
      key = await fs.readFile(keyFile, 'utf8');
      initiated = (await fs.stat(keyFile)).mtime;
    } catch (err) {
      if (err.code === 'ENOENT') continue; // completed or aborted meanwhile
      throw err;
    }
    if (key.startsWith(prefix)) {
      uploads.push(
        `<Upload><Key>${escapeXml(key)}</Key><UploadId>${id}</UploadId>` +
          `<Initiated>${initiated.toISOString()}</Initiated><StorageClass>STANDARD</StorageClass></Upload>`,
      );
    }
  }
  sendXml(
    ctx,
    200,
    '<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      `<Bucket>${escapeXml(bucket)}</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker>` +
      `<Prefix>${escapeXml(prefix)}</Prefix><MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated>` +
      `${uploads.join('')}</ListMultipartUploadsResult>`,
  );
}

async function abortMultipartUpload(ctx, bucket, uploadId) {
  if (!/^[0-9a-f]+$/.test(uploadId)) {
    sendError(ctx, 404, 'NoSuchUpload', 'The specified upload does not exist.');
    return;
  }
  const folder = path.join(uploadsFolder(bucket), uploadId);
  try {
    await fs.access(folder);
  } catch {
    sendError(ctx, 404, 'NoSuchUpload', 'The specified upload does not exist.');
    return;
  }
  await fs.rm(folder, { recursive: true, force: true });
  ctx.status = 204;
}

async function logRequest(ctx, next) {
  const checksums = { headers: checksumHeaders(ctx.headers) };
  if (isCompleteMultipartUpload(ctx)) {
    checksums.parts = completedParts((await readBody(ctx)).toString('utf8'));
  }
  console.log(`request ${ctx.method} ${ctx.url} ${JSON.stringify(checksums)}`);
  await next();
}

async function multipartUploadsExtension(ctx, next) {
  const [, bucket, ...key] = ctx.path.split('/');
  if (ctx.method === 'GET' && bucket && key.join('') === '' && 'uploads' in ctx.query) {
    return listMultipartUploads(ctx, decodeURIComponent(bucket));
  }
  if (ctx.method === 'DELETE' && bucket && key.join('') !== '' && 'uploadId' in ctx.query) {
    return abortMultipartUpload(ctx, decodeURIComponent(bucket), String(ctx.query.uploadId));
  }
  return next();
}

/**
 * s3rver 3.7.1 answers a PutObject or UploadPart once the body has passed through its hashing, before the file it
 * writes is finished, so a GET or a CompleteMultipartUpload right after may read a file still being written (and a
 * test sees bytes that do not match their checksum). S3 answers only once the bytes are stored: wait, as it does,
 * until the file holds every byte before answering.
 */
function answerOnceWritten(store) {
  const files = {
    putObject: ([object]) => store.getResourcePath(object.bucket, object.key, 'object'),
    putPart: ([bucket, uploadId, partNumber]) =>
      path.join(store.getResourcePath(bucket, undefined, 'uploads'), uploadId, partNumber.toString()),
  };
  for (const [method, fileOf] of Object.entries(files)) {
    const original = store[method].bind(store);
    store[method] = async (...args) => {
      const stored = await original(...args);
      await untilSize(fileOf(args), stored.size);
      return stored;
    };
  }
}

async function untilSize(file, size) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { size: written } = await fs.stat(file).catch(() => ({ size: -1 }));
    if (written >= size) return;
    if (Date.now() > deadline) throw new Error(`${file} still holds ${written} of ${size} bytes after 30 s`);
    await new Promise(resolve => setTimeout(resolve, 2));
  }
}

if (process.argv.includes('--exit-with-stdin')) {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}

const server = new S3rver({ address: '127.0.0.1', port, directory, silent: true });
answerOnceWritten(server.store);
// Koa composes its middleware when the server starts listening, so these still take effect: first the damage a test
// asked for (see checksums.js), then the log; the checksum checks and the extension just before s3rver's router (the
// last middleware), after its authentication.
server.middleware.unshift(damageBodies, logRequest);
server.middleware.splice(server.middleware.length - 1, 0, verifyChecksums(uploadsFolder), multipartUploadsExtension);
server.run().then(
  address => console.log(`listening ${address.port}`),
  err => {
    console.error(`s3rver failed to start: ${err.message}`);
    process.exit(1);
  },
);
