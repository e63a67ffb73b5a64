'use strict';
// The Uploads API through the official openai npm package: the whole happy path, the state machine of api.md 4 and
// the completion checks of api.md 3, in the order the API reference gives them.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const {
  OpenAI, toFile, client, raw, md5Hex, md5Base64, crc32cBase64, randomBytes, runTag, rejectsWith, uploadWithParts,
  UPLOAD_ID, PART_ID, FILE_ID,
} = require('../lib/harness');

const sdk = client();

test('an upload sent as parallel parts and completed in its own part order becomes a file with exactly those bytes, which can be read back and deleted', async () => {
  // Six chunks of different sizes and contents, so any reordering or truncation changes the bytes.
  const sizes = [70_001, 1, 65_536, 123_457, 3, 40_000];
  const chunks = sizes.map((n) => randomBytes(n));
  const data = Buffer.concat(chunks);
  const filename = `données 📦 ${runTag()}.jsonl`; // api.md 3: any Unicode, stored and echoed as given

  const upload = await sdk.uploads.create({ bytes: data.length, filename, mime_type: 'text/jsonl', purpose: 'assistants' });
  assert.match(upload.id, UPLOAD_ID);
  assert.equal(upload.object, 'upload');
  assert.equal(upload.status, 'pending');
  assert.equal(upload.bytes, data.length);
  assert.equal(upload.filename, filename);
  assert.equal(upload.purpose, 'assistants');
  assert.ok(Number.isInteger(upload.created_at));
  assert.equal(upload.expires_at, upload.created_at + 3600, 'api.md 3: expires_at = created_at + 3600');
  assert.ok(!('file' in upload), 'a pending upload has no file key');

  // The last two chunks arrive first, one after the other; then the first four arrive together. Completing in
  // chunk order is therefore certainly not the order of arrival.
  const partFor = async (i) => sdk.uploads.parts.create(upload.id, { data: await toFile(chunks[i], `chunk-${i}.bin`) });
  const part5 = await partFor(5);
  const part4 = await partFor(4);
  const first4 = await Promise.all([0, 1, 2, 3].map(partFor));
  const parts = [...first4, part4, part5];
  for (const part of parts) {
    assert.match(part.id, PART_ID);
    assert.equal(part.object, 'upload.part');
    assert.equal(part.upload_id, upload.id);
    assert.ok(Number.isInteger(part.created_at));
  }
  assert.equal(new Set(parts.map((p) => p.id)).size, parts.length, 'every part has its own id');

  const completed = await sdk.uploads.complete(upload.id, { part_ids: parts.map((p) => p.id), md5: md5Hex(data) });
  assert.equal(completed.id, upload.id);
  assert.equal(completed.status, 'completed');
  assert.equal(completed.expires_at, upload.expires_at);
  const file = completed.file;
  assert.ok(file, 'a completed upload carries its file');
  assert.match(file.id, FILE_ID);
  assert.equal(file.object, 'file');
  assert.equal(file.bytes, data.length);
  assert.equal(file.filename, filename);
  assert.equal(file.purpose, 'assistants');
  assert.equal(file.status, 'processed');
  assert.equal(file.status_details, null);
  assert.equal(file.created_at, upload.created_at, "api.md 3: the file's created_at is the upload's");
  assert.equal(file.expires_at, null, 'api.md 3: no expires_after and not batch, so no expiry');

  const retrieved = await sdk.files.retrieve(file.id);
  assert.deepEqual(retrieved, file);

  const content = await sdk.files.content(file.id);
  assert.equal(content.status, 200);
  const bytes = Buffer.from(await content.arrayBuffer());
  assert.equal(bytes.length, data.length);
  assert.ok(bytes.equals(data), 'the content is the parts in the order named at completion');

  const deleted = await sdk.files.delete(file.id);
  assert.deepEqual(deleted, { id: file.id, object: 'file', deleted: true });
  await rejectsWith(sdk.files.retrieve(file.id), OpenAI.NotFoundError, { status: 404, param: 'id' });
  await rejectsWith(sdk.files.content(file.id), OpenAI.NotFoundError, { status: 404, param: 'id' });
  await rejectsWith(sdk.files.delete(file.id), OpenAI.NotFoundError, { status: 404, param: 'id' });
});

test('completing again with the same part_ids answers 200 with the same file, other part_ids are a 400 on upload_id', async () => {
  const data = randomBytes(5000);
  const { upload, parts } = await uploadWithParts(sdk, data, [2000, 3000]);
  const partIds = parts.map((p) => p.id);
  const first = await sdk.uploads.complete(upload.id, { part_ids: partIds });
  assert.equal(first.status, 'completed');
  const again = await sdk.uploads.complete(upload.id, { part_ids: partIds });
  assert.equal(again.status, 'completed');
  assert.deepEqual(again.file, first.file, 'a retry after a lost answer gets the same file');

  await rejectsWith(sdk.uploads.complete(upload.id, { part_ids: [...partIds].reverse() }), OpenAI.BadRequestError,
    { status: 400, param: 'upload_id' });
  await rejectsWith(sdk.uploads.parts.create(upload.id, { data: await toFile(Buffer.from('late'), 'late.bin') }),
    OpenAI.BadRequestError, { status: 400, param: 'upload_id' });
  await rejectsWith(sdk.uploads.cancel(upload.id), OpenAI.BadRequestError, { status: 400, param: 'upload_id' });

  const content = Buffer.from(await (await sdk.files.content(first.file.id)).arrayBuffer());
  assert.ok(content.equals(data), 'the refused requests changed nothing');
  await sdk.files.delete(first.file.id);
});

test('a cancelled upload refuses new parts and completion with 400 on upload_id, and a repeated cancel answers 200', async () => {
  const data = randomBytes(300);
  const { upload, parts } = await uploadWithParts(sdk, data, [100, 200]);

  const cancelled = await sdk.uploads.cancel(upload.id);
  assert.equal(cancelled.id, upload.id);
  assert.equal(cancelled.status, 'cancelled');
  assert.equal(cancelled.expires_at, upload.expires_at, 'api.md 3: expires_at unchanged by cancel');
  assert.ok(!('file' in cancelled), 'a cancelled upload has no file key');

  const refused = await rejectsWith(
    sdk.uploads.parts.create(upload.id, { data: await toFile(Buffer.from('more'), 'more.bin') }),
    OpenAI.BadRequestError, { status: 400, param: 'upload_id' });
  assert.match(refused.error.message, /cancel/i, 'api.md 2: the message says which state');

  await rejectsWith(sdk.uploads.complete(upload.id, { part_ids: parts.map((p) => p.id) }), OpenAI.BadRequestError,
    { status: 400, param: 'upload_id' });

  const again = await sdk.uploads.cancel(upload.id);
  assert.equal(again.status, 'cancelled', 'api.md 4: cancel of a cancelled upload is a retry, 200');
  assert.equal(again.expires_at, upload.expires_at);
});

test('completion refuses a wrong md5 with 400 on md5, and accepts the right one as upper-case hex or base64', async () => {
  const data = randomBytes(4096);
  const { upload, parts } = await uploadWithParts(sdk, data, [1000, 3096]);
  const partIds = parts.map((p) => p.id);
  const wrong = md5Hex(Buffer.concat([data, Buffer.from('x')]));
  await rejectsWith(sdk.uploads.complete(upload.id, { part_ids: partIds, md5: wrong }), OpenAI.BadRequestError,
    { status: 400, param: 'md5' });
  // The md5 of the parts in the other order is a different digest: the order named is the order hashed.
  const swapped = md5Hex(Buffer.concat([data.subarray(1000), data.subarray(0, 1000)]));
  await rejectsWith(sdk.uploads.complete(upload.id, { part_ids: partIds, md5: swapped }), OpenAI.BadRequestError,
    { status: 400, param: 'md5' });

  const done = await sdk.uploads.complete(upload.id, { part_ids: partIds, md5: md5Hex(data).toUpperCase() });
  assert.equal(done.status, 'completed', 'a refused md5 leaves the upload pending and completable');
  await sdk.files.delete(done.file.id);

  const other = randomBytes(777);
  const second = await uploadWithParts(sdk, other, [777]);
  const viaBase64 = await sdk.uploads.complete(second.upload.id, { part_ids: second.parts.map((p) => p.id), md5: md5Base64(other) });
  assert.equal(viaBase64.status, 'completed');
  await sdk.files.delete(viaBase64.file.id);
});

test('completion refuses part_ids that do not add up to bytes, or are unknown, foreign or repeated, with 400 on part_ids', async () => {
  const data = randomBytes(1000);
  const { upload, parts } = await uploadWithParts(sdk, data, [400, 600]);
  const [p1, p2] = parts.map((p) => p.id);

  const short = await rejectsWith(sdk.uploads.complete(upload.id, { part_ids: [p1] }), OpenAI.BadRequestError,
    { status: 400, param: 'part_ids' });
  assert.match(short.error.message, /expected 1000 bytes, got 400/, 'api.md 3: message `expected N bytes, got M`');

  // A retried part (stored twice) makes the stored sum exceed bytes; only the named parts count.
  const extra = await sdk.uploads.parts.create(upload.id, { data: await toFile(data.subarray(400), 'again.bin') });
  const long = await rejectsWith(sdk.uploads.complete(upload.id, { part_ids: [p1, p2, extra.id] }), OpenAI.BadRequestError,
    { status: 400, param: 'part_ids' });
  assert.match(long.error.message, /expected 1000 bytes, got 1600/);

  await rejectsWith(sdk.uploads.complete(upload.id, { part_ids: [p1, p1, p2] }), OpenAI.BadRequestError,
    { status: 400, param: 'part_ids' });
  await rejectsWith(sdk.uploads.complete(upload.id, { part_ids: [p1, 'part_00000000000000000000000000000000'] }),
    OpenAI.BadRequestError, { status: 400, param: 'part_ids' });
  const foreign = await uploadWithParts(sdk, randomBytes(600), [600]);
  await rejectsWith(sdk.uploads.complete(upload.id, { part_ids: [p1, foreign.parts[0].id] }), OpenAI.BadRequestError,
    { status: 400, param: 'part_ids' });
  await sdk.uploads.cancel(foreign.upload.id);

  // Not a list of strings (check 3), and an md5 that is neither 32 hex digits nor base64 of 16 bytes.
  await rejectsWith(sdk.uploads.complete(upload.id, { part_ids: p1 }), OpenAI.BadRequestError, { status: 400, param: 'part_ids' });
  await rejectsWith(sdk.uploads.complete(upload.id, { part_ids: [p1, 7] }), OpenAI.BadRequestError, { status: 400, param: 'part_ids' });
  await rejectsWith(sdk.uploads.complete(upload.id, { part_ids: [p1, p2], md5: 'not-a-digest' }), OpenAI.BadRequestError,
    { status: 400, param: 'md5' });

  // api.md 3 order: the sum (check 4) is checked before the md5 (check 5).
  await rejectsWith(sdk.uploads.complete(upload.id, { part_ids: [p1], md5: md5Hex(Buffer.from('nope')) }),
    OpenAI.BadRequestError, { status: 400, param: 'part_ids' });

  // None of that moved the upload: the retried part stands in for the original, whose bytes are the same.
  const done = await sdk.uploads.complete(upload.id, { part_ids: [p1, extra.id], md5: md5Hex(data) });
  assert.equal(done.status, 'completed');
  assert.equal(done.file.bytes, 1000);
  const content = Buffer.from(await (await sdk.files.content(done.file.id)).arrayBuffer());
  assert.ok(content.equals(data));
  await sdk.files.delete(done.file.id);
});

test('when cancel and complete race, exactly one wins and the other is refused with the 400 its state implies', async () => {
  for (let round = 0; round < 10; round++) {
    const data = randomBytes(2048);
    const { upload, parts } = await uploadWithParts(sdk, data, [1024, 1024]);
    const settle = (p) => p.then((value) => ({ value }), (error) => ({ error }));
    const [cancel, complete] = await Promise.all([
      settle(sdk.uploads.cancel(upload.id)),
      settle(sdk.uploads.complete(upload.id, { part_ids: parts.map((p) => p.id) })),
    ]);
    const winners = [cancel, complete].filter((r) => r.value);
    assert.equal(winners.length, 1, `round ${round}: exactly one wins (cancel ${cancel.error?.status ?? 200}, complete ${complete.error?.status ?? 200})`);
    const loser = cancel.error ?? complete.error;
    assert.ok(loser instanceof OpenAI.BadRequestError, `round ${round}: the loser gets a 400, got ${loser?.constructor?.name} ${loser?.message}`);
    assert.equal(loser.param, 'upload_id');
    const state = await sdk.get(`/uploads/${upload.id}`);
    if (complete.value) {
      assert.equal(state.status, 'completed');
      const content = Buffer.from(await (await sdk.files.content(complete.value.file.id)).arrayBuffer());
      assert.ok(content.equals(data));
      await sdk.files.delete(complete.value.file.id);
    } else {
      assert.equal(state.status, 'cancelled');
      assert.ok(!state.file, 'a cancelled upload has no file');
    }
  }
});

test('expires_after on the upload sets the expiry of the completed file, and a batch file expires after 30 days by default', async () => {
  const data = randomBytes(10);
  const upload = await sdk.uploads.create({
    bytes: 10, filename: `exp-${runTag()}.txt`, mime_type: 'text/plain', purpose: 'user_data',
    expires_after: { anchor: 'created_at', seconds: 7200 },
  });
  assert.equal(upload.expires_at, upload.created_at + 3600, 'expires_after governs the file, not the upload');
  const part = await sdk.uploads.parts.create(upload.id, { data: await toFile(data, 'x.bin') });
  const done = await sdk.uploads.complete(upload.id, { part_ids: [part.id] });
  assert.equal(done.file.expires_at, done.file.created_at + 7200);
  assert.equal(done.file.purpose, 'user_data');
  await sdk.files.delete(done.file.id);

  const batch = await uploadWithParts(sdk, Buffer.from('{"custom_id":"1"}\n'), [18], { purpose: 'batch', mime_type: 'text/jsonl' });
  const batchDone = await sdk.uploads.complete(batch.upload.id, { part_ids: batch.parts.map((p) => p.id) });
  assert.equal(batchDone.file.purpose, 'batch');
  assert.equal(batchDone.file.expires_at, batchDone.file.created_at + 30 * 24 * 3600);
  await sdk.files.delete(batchDone.file.id);
});

test('a zero-byte upload completes with an empty part list into an empty file', async () => {
  const upload = await sdk.uploads.create({ bytes: 0, filename: `empty-${runTag()}.txt`, mime_type: 'text/plain', purpose: 'assistants' });
  const done = await sdk.uploads.complete(upload.id, { part_ids: [], md5: md5Hex(Buffer.alloc(0)) });
  assert.equal(done.status, 'completed');
  assert.equal(done.file.bytes, 0);
  const content = Buffer.from(await (await sdk.files.content(done.file.id)).arrayBuffer());
  assert.equal(content.length, 0);
  await sdk.files.delete(done.file.id);
});

test('uploads.create accepts every purpose the API reference lists and a declared size of 8 GiB, and refuses one byte more', async () => {
  for (const purpose of ['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals']) {
    const upload = await sdk.uploads.create({ bytes: 1, filename: `p-${purpose}.txt`, mime_type: 'txt', purpose });
    assert.equal(upload.purpose, purpose);
    assert.equal(upload.status, 'pending');
    await sdk.uploads.cancel(upload.id);
  }
  const big = await sdk.uploads.create({ bytes: 8 * 1024 ** 3, filename: 'big.bin', mime_type: 'application/octet-stream', purpose: 'batch' });
  assert.equal(big.bytes, 8589934592, 'api.md 1: byte counts are 64-bit');
  await sdk.uploads.cancel(big.id);
  await rejectsWith(sdk.uploads.create({ bytes: 8 * 1024 ** 3 + 1, filename: 'big.bin', mime_type: 'application/octet-stream', purpose: 'batch' }),
    OpenAI.BadRequestError, { status: 400, param: 'bytes' });
});

test('parts are taken whatever filename and content type their multipart field carries, and cancel takes an empty body with any or no Content-Type', async () => {
  const pieces = [randomBytes(10), randomBytes(20), randomBytes(30)];
  const upload = await sdk.uploads.create({ bytes: 60, filename: `odd-${runTag()}.bin`, mime_type: 'application/octet-stream', purpose: 'assistants' });
  const shapes = [
    [pieces[0], undefined, undefined],               // Blob default: filename "blob", no type
    [pieces[1], 'weird name "quoted".txt', 'text/plain'],
    [pieces[2], 'x.json', 'application/json'],
  ];
  const ids = [];
  for (const [bytes, filename, type] of shapes) {
    const form = new FormData();
    const blob = new Blob([bytes], type ? { type } : {});
    if (filename === undefined) form.append('data', blob); else form.append('data', blob, filename);
    const answer = await raw('POST', `/uploads/${upload.id}/parts`, { body: form });
    assert.equal(answer.status, 200, `part with filename ${filename} and type ${type}: ${answer.text}`);
    ids.push(answer.json.id);
  }
  const done = await sdk.uploads.complete(upload.id, { part_ids: ids, md5: md5Hex(Buffer.concat(pieces)) });
  assert.equal(done.file.bytes, 60);
  await sdk.files.delete(done.file.id);

  for (const contentType of [undefined, 'application/json', 'text/plain', 'application/x-www-form-urlencoded']) {
    const pending = await sdk.uploads.create({ bytes: 1, filename: 'c.txt', mime_type: 'text/plain', purpose: 'assistants' });
    const answer = await raw('POST', `/uploads/${pending.id}/cancel`, { body: '', headers: contentType ? { 'content-type': contentType } : {} });
    assert.equal(answer.status, 200, `cancel with empty body and Content-Type ${contentType}: ${answer.text}`);
    assert.equal(answer.json.status, 'cancelled');
  }
});

test('the extensions GET /uploads/{id} and GET /uploads/{id}/parts report the state and the stored parts with their sizes and CRC32C', async () => {
  const data = randomBytes(900);
  const { upload, parts } = await uploadWithParts(sdk, data, [300, 600]);
  const state = await sdk.get(`/uploads/${upload.id}`);
  assert.deepEqual(state, upload, 'GET /uploads/{id} answers the Upload as created');

  const listed = await sdk.get(`/uploads/${upload.id}/parts`);
  assert.ok(Array.isArray(listed.data), JSON.stringify(listed));
  const byId = new Map(listed.data.map((p) => [p.id, p]));
  assert.equal(byId.size, 2);
  const expected = [data.subarray(0, 300), data.subarray(300)];
  parts.forEach((part, i) => {
    const got = byId.get(part.id);
    assert.ok(got, `part ${part.id} is listed`);
    assert.equal(got.bytes, expected[i].length);
    assert.equal(got.crc32c, crc32cBase64(expected[i]));
    assert.equal(got.md5, null, 'listing reads no part back for an MD5');
    assert.equal(got.created_at, part.created_at);
  });

  await sdk.uploads.cancel(upload.id);
  const after = await sdk.get(`/uploads/${upload.id}`);
  assert.equal(after.status, 'cancelled');
});
