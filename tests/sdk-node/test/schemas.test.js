'use strict';
// Tessera's answers, as sent on the wire, against OpenAI's own schemas (uploads-files.json, validated with Ajv),
// and against api.md 6: "OpenAI's objects keep exactly their shape" (no key missing, none added).

const { test, before } = require('node:test');
const assert = require('node:assert/strict');
const {
  client, raw, ok, assertMatchesSchema, schemas, md5Hex, randomBytes, runTag, KEY_A, KEY_B,
} = require('../lib/harness');

// The keys of each object, exactly (api.md 3). Upload's `file` is present once completed, absent before.
const UPLOAD_KEYS = ['bytes', 'created_at', 'expires_at', 'filename', 'id', 'object', 'purpose', 'status'];
const FILE_KEYS = ['bytes', 'created_at', 'expires_at', 'filename', 'id', 'object', 'purpose', 'status', 'status_details'];
const PART_KEYS = ['created_at', 'id', 'object', 'upload_id'];
const LIST_KEYS = ['data', 'first_id', 'has_more', 'last_id', 'object'];
const DELETE_KEYS = ['deleted', 'id', 'object'];

function assertKeys(value, keys, what) {
  assert.deepEqual(Object.keys(value).sort(), [...keys].sort(), `${what}: keys`);
}

function partForm(bytes) {
  const form = new FormData();
  form.append('data', new Blob([bytes]), 'part.bin');
  return form;
}

before(() => {
  // Fail early and clearly if the document is not where the suite expects it.
  schemas();
});

test('create upload, add part, complete and cancel answer JSON valid against Upload and UploadPart, with exactly their keys', async () => {
  const data = randomBytes(3000);
  // user_data is in the schema's purpose enum, so the nested file's purpose is checked by it too.
  const created = ok(await raw('POST', '/uploads', {
    json: { bytes: data.length, filename: `schema-${runTag()}.txt`, mime_type: 'text/plain', purpose: 'user_data' },
  }), 'create upload');
  assertMatchesSchema('Upload', created, 'POST /uploads');
  assertKeys(created, UPLOAD_KEYS, 'POST /uploads');
  assert.equal(created.status, 'pending');

  const parts = [];
  for (const slice of [data.subarray(0, 1000), data.subarray(1000)]) {
    const part = ok(await raw('POST', `/uploads/${created.id}/parts`, { body: partForm(slice) }), 'add part');
    assertMatchesSchema('UploadPart', part, 'POST /uploads/{id}/parts');
    assertKeys(part, PART_KEYS, 'POST /uploads/{id}/parts');
    parts.push(part);
  }

  const completed = ok(await raw('POST', `/uploads/${created.id}/complete`, {
    json: { part_ids: parts.map((p) => p.id), md5: md5Hex(data) },
  }), 'complete');
  assertMatchesSchema('Upload', completed, 'POST /uploads/{id}/complete');
  assertKeys(completed, [...UPLOAD_KEYS, 'file'], 'POST /uploads/{id}/complete');
  assertMatchesSchema('OpenAIFile', completed.file, 'complete: nested file');
  assertKeys(completed.file, FILE_KEYS, 'complete: nested file');
  assert.equal(completed.status, 'completed');

  const toCancel = ok(await raw('POST', '/uploads', {
    json: { bytes: 5, filename: 'c.txt', mime_type: 'text/plain', purpose: 'fine-tune' },
  }), 'create upload');
  // api.md 3: cancel takes no body; send none at all, as the SDK does.
  const cancelled = ok(await raw('POST', `/uploads/${toCancel.id}/cancel`), 'cancel');
  assertMatchesSchema('Upload', cancelled, 'POST /uploads/{id}/cancel');
  assertKeys(cancelled, UPLOAD_KEYS, 'POST /uploads/{id}/cancel');
  assert.equal(cancelled.status, 'cancelled');

  // Our extension answers the Upload too, so it must be one.
  const state = ok(await raw('GET', `/uploads/${created.id}`), 'GET /uploads/{id}');
  assertMatchesSchema('Upload', state, 'GET /uploads/{id}');
  assertKeys(state, [...UPLOAD_KEYS, 'file'], 'GET /uploads/{id} of a completed upload');

  ok(await raw('DELETE', `/files/${completed.file.id}`), 'cleanup');
});

test('POST /files, GET /files/{id}, GET /files and DELETE /files/{id} answer JSON valid against OpenAIFile, ListFilesResponse and DeleteFileResponse', async () => {
  const ids = [];
  for (const [purpose, extra] of [['assistants', {}], ['batch', {}], ['fine-tune', { 'expires_after[anchor]': 'created_at', 'expires_after[seconds]': '7200' }]]) {
    const form = new FormData();
    form.append('purpose', purpose);
    for (const [k, v] of Object.entries(extra)) form.append(k, v);
    form.append('file', new Blob([randomBytes(100)]), `schema-${purpose}.jsonl`);
    const created = ok(await raw('POST', '/files', { body: form }), `POST /files (${purpose})`);
    assertMatchesSchema('OpenAIFile', created, `POST /files (${purpose})`);
    assertKeys(created, FILE_KEYS, `POST /files (${purpose})`);
    // expires_at is an integer here (batch default, expires_after) and null otherwise: both shapes are checked.
    assert.equal(created.expires_at === null, purpose === 'assistants', `expires_at of ${purpose}: ${created.expires_at}`);

    const retrieved = ok(await raw('GET', `/files/${created.id}`), 'GET /files/{id}');
    assertMatchesSchema('OpenAIFile', retrieved, 'GET /files/{id}');
    assertKeys(retrieved, FILE_KEYS, 'GET /files/{id}');
    ids.push(created.id);
  }

  const list = ok(await raw('GET', '/files?limit=2&order=desc'), 'GET /files');
  assertMatchesSchema('ListFilesResponse', list, 'GET /files');
  assertKeys(list, LIST_KEYS, 'GET /files');
  assert.equal(list.object, 'list');
  assert.equal(list.data.length, 2);
  assert.equal(list.has_more, true, 'three files were just made, so a page of 2 has more');
  list.data.forEach((f, i) => assertKeys(f, FILE_KEYS, `GET /files data[${i}]`));

  for (const id of ids) {
    const deleted = ok(await raw('DELETE', `/files/${id}`), 'DELETE /files/{id}');
    assertMatchesSchema('DeleteFileResponse', deleted, 'DELETE /files/{id}');
    assertKeys(deleted, DELETE_KEYS, 'DELETE /files/{id}');
    assert.deepEqual(deleted, { id, object: 'file', deleted: true });
  }
});

test('an empty file list is valid too: data [], has_more false, first_id and last_id null', async () => {
  // Project B with purpose user_data is used by no other test: the page after its newest such file, oldest
  // first, is empty on any server.
  const form = new FormData();
  form.append('purpose', 'user_data');
  form.append('file', new Blob(['last']), `empty-page-${runTag()}.txt`);
  const newest = ok(await raw('POST', '/files', { key: KEY_B, body: form }), 'POST /files (B)');
  const list = ok(await raw('GET', `/files?purpose=user_data&order=asc&after=${newest.id}`, { key: KEY_B }), 'GET /files (empty page)');
  assertMatchesSchema('ListFilesResponse', list, 'GET /files (empty page)');
  assertKeys(list, LIST_KEYS, 'GET /files (empty page)');
  assert.deepEqual(list, { object: 'list', data: [], has_more: false, first_id: null, last_id: null });
  ok(await raw('DELETE', `/files/${newest.id}`, { key: KEY_B }), 'cleanup');
});

test('the SDK hands back the same JSON it received: withResponse() data validates against the schemas', async () => {
  const sdk = client(KEY_A);
  const { data: upload, response } = await sdk.uploads.create({ bytes: 1, filename: 'w.txt', mime_type: 'txt', purpose: 'vision' }).withResponse();
  assert.equal(response.status, 200);
  assertMatchesSchema('Upload', upload, 'uploads.create().withResponse()');
  assertKeys(upload, UPLOAD_KEYS, 'uploads.create().withResponse()');
  const cancelled = await sdk.uploads.cancel(upload.id).asResponse();
  const body = await cancelled.json();
  assertMatchesSchema('Upload', body, 'uploads.cancel().asResponse()');
  assert.equal(body.status, 'cancelled');
});
