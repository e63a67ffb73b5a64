'use strict';
// Errors as the SDK sees them (the class it picks from the status, and param/code/type read from the envelope),
// the envelope and x-request-id on the wire (api.md 1, 2), and project isolation (api.md 5).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const {
  OpenAI, toFile, client, raw, ok, assertErrorEnvelope, rejectsWith, randomBytes, runTag,
  BASE_URL, KEY_A, KEY_B, PROJECT_A, PROJECT_B, REQUEST_ID,
} = require('../lib/harness');

const sdk = client();
const MISSING_UPLOAD = 'upload_0123456789abcdef0123456789abcdef';
const MISSING_FILE = 'file-1111111111111111111111';

test('an unknown upload id is a NotFoundError (404, param id) on every upload endpoint', async () => {
  const error = await rejectsWith(sdk.uploads.cancel(MISSING_UPLOAD), OpenAI.NotFoundError, { status: 404, param: 'id', code: null });
  assert.match(error.error.message, new RegExp(`No such Upload object: ${MISSING_UPLOAD}`));
  await rejectsWith(sdk.uploads.complete(MISSING_UPLOAD, { part_ids: [] }), OpenAI.NotFoundError, { status: 404, param: 'id' });
  await rejectsWith(sdk.uploads.parts.create(MISSING_UPLOAD, { data: await toFile(Buffer.from('x'), 'x.bin') }),
    OpenAI.NotFoundError, { status: 404, param: 'id' });
});

test('an unknown file id is a NotFoundError (404, param id) with the message "No such File object: <id>"', async () => {
  const error = await rejectsWith(sdk.files.retrieve(MISSING_FILE), OpenAI.NotFoundError, { status: 404, param: 'id', code: null });
  assert.equal(error.error.message, `No such File object: ${MISSING_FILE}`);
  await rejectsWith(sdk.files.content(MISSING_FILE), OpenAI.NotFoundError, { status: 404, param: 'id' });
  await rejectsWith(sdk.files.delete(MISSING_FILE), OpenAI.NotFoundError, { status: 404, param: 'id' });
});

test('a wrong API key is an AuthenticationError (401, code invalid_api_key) that does not echo the key', async () => {
  const wrongKey = 'sk-this-key-is-not-configured-0042';
  const error = await rejectsWith(client(wrongKey).files.list(), OpenAI.AuthenticationError,
    { status: 401, code: 'invalid_api_key', param: null });
  assert.ok(!error.error.message.includes(wrongKey), `the whole key is echoed: ${error.error.message}`);
  await rejectsWith(client(wrongKey).uploads.create({ bytes: 1, filename: 'a', mime_type: 'txt', purpose: 'assistants' }),
    OpenAI.AuthenticationError, { status: 401, code: 'invalid_api_key' });
});

test('a request without a bearer token is a 401 with code null saying that no API key was provided', async () => {
  const answer = await raw('GET', '/files', { key: null });
  const error = assertErrorEnvelope(answer, { status: 401, param: null, code: null });
  assert.match(error.message, /^You didn't provide an API key/);
});

test("another project's file and upload are NotFoundErrors to a key of another project, and stay intact for their owner", async () => {
  const sdkB = client(KEY_B);
  const data = randomBytes(64);
  const file = await sdk.files.create({ file: await toFile(data, `mine-${runTag()}.txt`), purpose: 'assistants' });

  const seen = await rejectsWith(sdkB.files.retrieve(file.id), OpenAI.NotFoundError, { status: 404, param: 'id' });
  assert.equal(seen.error.message, `No such File object: ${file.id}`, 'indistinguishable from a missing id');
  await rejectsWith(sdkB.files.content(file.id), OpenAI.NotFoundError, { status: 404, param: 'id' });
  await rejectsWith(sdkB.files.delete(file.id), OpenAI.NotFoundError, { status: 404, param: 'id' });
  for await (const f of sdkB.files.list({ limit: 100 })) assert.notEqual(f.id, file.id, "B's list shows A's file");
  assert.deepEqual(await sdk.files.retrieve(file.id), file, 'the owner still sees it unchanged');
  const content = Buffer.from(await (await sdk.files.content(file.id)).arrayBuffer());
  assert.ok(content.equals(data));
  await sdk.files.delete(file.id);

  const upload = await sdk.uploads.create({ bytes: 3, filename: 'u.txt', mime_type: 'text/plain', purpose: 'assistants' });
  await rejectsWith(sdkB.uploads.parts.create(upload.id, { data: await toFile(Buffer.from('abc'), 'p.bin') }),
    OpenAI.NotFoundError, { status: 404, param: 'id' });
  await rejectsWith(sdkB.uploads.complete(upload.id, { part_ids: [] }), OpenAI.NotFoundError, { status: 404, param: 'id' });
  await rejectsWith(sdkB.uploads.cancel(upload.id), OpenAI.NotFoundError, { status: 404, param: 'id' });
  const part = await sdk.uploads.parts.create(upload.id, { data: await toFile(Buffer.from('abc'), 'p.bin') });
  const done = await sdk.uploads.complete(upload.id, { part_ids: [part.id] });
  assert.equal(done.status, 'completed', "B's attempts did not move A's upload");
  await sdk.files.delete(done.file.id);
});

test('an OpenAI-Project header naming another project is a 401; naming its own project or sending OpenAI-Organization is accepted', async () => {
  const own = await client(KEY_A, { project: PROJECT_A, organization: 'org-anything' }).files.list({ limit: 1 });
  assert.equal(own.body.object, 'list');
  await rejectsWith(client(KEY_A, { project: PROJECT_B }).files.list({ limit: 1 }), OpenAI.AuthenticationError,
    { status: 401 });
});

test('bad field values on uploads.create are BadRequestErrors naming the field in param', async () => {
  const good = { bytes: 10, filename: 'f.txt', mime_type: 'text/plain', purpose: 'assistants' };
  await rejectsWith(sdk.uploads.create({ ...good, purpose: 'nonsense' }), OpenAI.BadRequestError,
    { status: 400, param: 'purpose', code: null, message: /nonsense/ });
  await rejectsWith(sdk.uploads.create({ ...good, bytes: -1 }), OpenAI.BadRequestError, { status: 400, param: 'bytes' });
  await rejectsWith(sdk.uploads.create({ ...good, filename: '' }), OpenAI.BadRequestError, { status: 400, param: 'filename' });
  await rejectsWith(sdk.uploads.create({ ...good, mime_type: '' }), OpenAI.BadRequestError, { status: 400, param: 'mime_type' });
  // A wrong type or a missing field (api.md 1).
  await rejectsWith(sdk.post('/uploads', { body: { ...good, bytes: '10' } }), OpenAI.BadRequestError, { status: 400, param: 'bytes' });
  const { filename: _f, ...noFilename } = good;
  await rejectsWith(sdk.post('/uploads', { body: noFilename }), OpenAI.BadRequestError, { status: 400, param: 'filename' });
  await rejectsWith(sdk.uploads.create({ ...good, expires_after: { anchor: 'created_at', seconds: 60 } }),
    OpenAI.BadRequestError, { status: 400 });
});

test('an unknown property in a JSON body is a 400 saying "Additional properties are not allowed"', async () => {
  const body = { bytes: 10, filename: 'f.txt', mime_type: 'text/plain', purpose: 'assistants', foo: 1 };
  const error = await rejectsWith(sdk.post('/uploads', { body }), OpenAI.BadRequestError, { status: 400 });
  assert.match(error.error.message, /Additional properties are not allowed \('foo' was unexpected\)/);

  const upload = await sdk.uploads.create({ bytes: 1, filename: 'f.txt', mime_type: 'text/plain', purpose: 'assistants' });
  const onComplete = await raw('POST', `/uploads/${upload.id}/complete`, { json: { part_ids: [], bar: true } });
  const envelope = assertErrorEnvelope(onComplete, { status: 400 });
  assert.match(envelope.message, /Additional properties are not allowed \('bar' was unexpected\)/);
  assert.equal((await sdk.uploads.cancel(upload.id)).status, 'cancelled', 'the refused request changed nothing');
});

test('every error body is exactly {"error":{"message","type","param","code"}} and every answer carries x-request-id req_<32 hex>', async () => {
  const upload = await sdk.uploads.create({ bytes: 4, filename: 'e.txt', mime_type: 'text/plain', purpose: 'assistants' });
  const form = new FormData();
  form.append('data', new Blob([Buffer.from('ab')]), 'p.bin');
  const part = ok(await raw('POST', `/uploads/${upload.id}/parts`, { body: form }), 'add part');

  // [answer, expected status, expected param, expected code]
  const cases = {
    'no bearer token': [await raw('GET', '/files', { key: null }), 401, null, null],
    'wrong key': [await raw('GET', '/files', { key: 'sk-wrong-key-0000000000' }), 401, null, 'invalid_api_key'],
    'unknown upload': [await raw('POST', `/uploads/${MISSING_UPLOAD}/cancel`), 404, 'id', null],
    'unknown file': [await raw('GET', `/files/${MISSING_FILE}`), 404, 'id', null],
    'unknown file content': [await raw('GET', `/files/${MISSING_FILE}/content`), 404, 'id', null],
    'unknown file delete': [await raw('DELETE', `/files/${MISSING_FILE}`), 404, 'id', null],
    'bad purpose': [await raw('POST', '/uploads', { json: { bytes: 1, filename: 'a', mime_type: 'txt', purpose: 'bogus' } }), 400, 'purpose', null],
    'unknown property': [await raw('POST', '/uploads', { json: { bytes: 1, filename: 'a', mime_type: 'txt', purpose: 'batch', foo: 1 } }), 400, undefined, null],
    'not JSON': [await raw('POST', '/uploads', { json: '{"bytes":' }), 400, undefined, null],
    'parts short of bytes': [await raw('POST', `/uploads/${upload.id}/complete`, { json: { part_ids: [part.id] } }), 400, 'part_ids', null],
    'bad list limit': [await raw('GET', '/files?limit=0'), 400, 'limit', null],
    'unknown route': [await raw('GET', '/no-such-endpoint'), 404, undefined, null],
  };
  await sdk.uploads.cancel(upload.id);
  cases['part after cancel'] = [await raw('POST', `/uploads/${upload.id}/parts`, { body: form }), 400, 'upload_id', null];
  cases['complete after cancel'] = [await raw('POST', `/uploads/${upload.id}/complete`, { json: { part_ids: [part.id] } }), 400, 'upload_id', null];

  const requestIds = [];
  for (const [name, [answer, status, param, code]] of Object.entries(cases)) {
    try {
      assertErrorEnvelope(answer, { status, param, code });
    } catch (error) {
      error.message = `${name}: ${error.message}`;
      throw error;
    }
    requestIds.push(answer.requestId);
  }
  // Successes carry it too, the raw bytes of file content included (raw() asserts the format on every answer).
  const fileForm = new FormData();
  fileForm.append('purpose', 'assistants');
  fileForm.append('file', new Blob(['hi']), 'hi.txt');
  const file = ok(await raw('POST', '/files', { body: fileForm }), 'create file');
  const content = await raw('GET', `/files/${file.id}/content`);
  assert.equal(content.status, 200);
  requestIds.push(content.requestId, (await raw('DELETE', `/files/${file.id}`)).requestId);
  for (const id of requestIds) assert.match(id, REQUEST_ID);
  assert.equal(new Set(requestIds).size, requestIds.length, 'each answer has its own request id');

  // The SDK exposes it on results and errors alike.
  const { response } = await sdk.files.list({ limit: 1 }).withResponse();
  assert.match(String(response.headers.get('x-request-id')), REQUEST_ID);
});

test('the API is also served without the /v1 prefix', async () => {
  const bare = BASE_URL.replace(/\/v1$/, '');
  assert.notEqual(bare, BASE_URL, `TESSERA_BASE_URL ${BASE_URL} does not end in /v1`);
  const page = await client(KEY_A, { baseURL: bare }).files.list({ limit: 1 });
  assert.equal(page.body.object, 'list');
  const answer = await raw('GET', '/files?limit=1', { baseUrl: bare, key: KEY_A });
  assert.equal(ok(answer, 'GET /files without /v1').object, 'list');
});

// A refusal on a large body (SPEC 7's part limit, or a key or id refused before the body is read) must reach the
// SDK as that error. The SDK sends the whole body before it reads an answer: a server that answered and closed
// while it was still sending gave it only "Connection error." (EPIPE).
const PART_LIMIT = 64 * 1024 * 1024;

test('an oversized part is a BadRequestError (400, param data) naming the 64 MiB limit, and the upload works afterwards', async () => {
  const upload = await sdk.uploads.create({ bytes: 3, filename: `big-${runTag()}.bin`, mime_type: 'application/octet-stream', purpose: 'assistants' });
  const error = await rejectsWith(sdk.uploads.parts.create(upload.id, { data: await toFile(Buffer.alloc(PART_LIMIT + 1, 7), 'big.bin') }),
    OpenAI.BadRequestError, { status: 400, param: 'data', code: null });
  assert.match(error.error.message, /67108864 bytes \(64 MiB\)/);

  const part = await sdk.uploads.parts.create(upload.id, { data: await toFile(Buffer.from('abc'), 'small.bin') });
  const done = await sdk.uploads.complete(upload.id, { part_ids: [part.id] });
  assert.equal(done.status, 'completed');
  assert.equal(done.file.bytes, 3);
  await sdk.files.delete(done.file.id);
});

test('a wrong key or an unknown upload on a 40 MiB part reaches the SDK as that error, not a connection error', async () => {
  const large = Buffer.alloc(40 * 1024 * 1024, 1);
  await rejectsWith(client('sk-this-key-is-not-configured-0043').uploads.parts.create(MISSING_UPLOAD, { data: await toFile(large, 'p.bin') }),
    OpenAI.AuthenticationError, { status: 401, code: 'invalid_api_key' });
  const error = await rejectsWith(sdk.uploads.parts.create(MISSING_UPLOAD, { data: await toFile(large, 'p.bin') }),
    OpenAI.NotFoundError, { status: 404, param: 'id' });
  assert.equal(error.error.message, `No such Upload object: ${MISSING_UPLOAD}`);
  await rejectsWith(client('sk-this-key-is-not-configured-0043').files.create({ file: await toFile(large, 'f.jsonl'), purpose: 'assistants' }),
    OpenAI.AuthenticationError, { status: 401, code: 'invalid_api_key' });
});

test('a wrong key on a 100 MB files.create is answered at once without its body, which this SDK reports as a connection error (EPIPE)', async () => {
  // Past Tessera:Limits:MaxUnauthenticatedDrainBytes (65 MiB) a request without a right key is not read: the server
  // answers 401 invalid_api_key at once and closes (api.md 2). The SDK's fetch is still writing the body then, and it
  // reports the broken write rather than the answer.
  const large = Buffer.alloc(100 * 1000 * 1000, 1);
  const started = Date.now();
  let caught;
  try {
    await client('sk-this-key-is-not-configured-0044').files.create({ file: await toFile(large, 'f.jsonl'), purpose: 'assistants' });
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof OpenAI.APIConnectionError, `expected APIConnectionError, got ${caught?.constructor?.name}: ${caught?.message}`);
  let cause = caught;
  while (cause.cause) cause = cause.cause;
  assert.ok(['EPIPE', 'ECONNRESET'].includes(cause.code), `the broken write is the cause: ${cause.code} ${cause.message}`);
  assert.ok(Date.now() - started < 30_000, `the refusal took ${Date.now() - started} ms`);
});
