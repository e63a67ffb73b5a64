'use strict';
// The checkers themselves, without a server: the schema validation and the envelope assertion must refuse what
// the API reference and OpenAI's schemas refuse, or the tests that lean on them could not fail.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { schemas, assertMatchesSchema, assertErrorEnvelope, normaliseNullable } = require('../lib/harness');

const file = {
  id: 'file-abc', object: 'file', bytes: 3, created_at: 1700000000, expires_at: null,
  filename: 'a.txt', purpose: 'assistants', status: 'processed', status_details: null,
};
const upload = {
  id: 'upload_abc', object: 'upload', bytes: 3, created_at: 1700000000, expires_at: 1700003600,
  filename: 'a.txt', purpose: 'assistants', status: 'pending',
};
const part = { id: 'part_abc', object: 'upload.part', created_at: 1700000000, upload_id: 'upload_abc' };
const list = { object: 'list', data: [file], first_id: 'file-abc', last_id: 'file-abc', has_more: false };
const deleted = { id: 'file-abc', object: 'file', deleted: true };

const valid = (name, value) => schemas().validator(name)(value);

test("the schema checker accepts OpenAI's documented shapes, with the nulls the API reference allows", () => {
  for (const [name, value] of [
    ['OpenAIFile', file], ['OpenAIFile', { ...file, expires_at: 1700003600 }],
    ['Upload', upload], ['Upload', { ...upload, status: 'completed', file }], ['Upload', { ...upload, file: null }],
    ['UploadPart', part], ['ListFilesResponse', list],
    ['ListFilesResponse', { object: 'list', data: [], first_id: null, last_id: null, has_more: false }],
    ['DeleteFileResponse', deleted],
  ]) {
    assertMatchesSchema(name, value);
  }
});

test('the schema checker refuses wrong types, missing required keys and values outside the enums', () => {
  const refused = [
    ['Upload', { ...upload, status: 'done' }],
    ['Upload', { ...upload, object: 'uploads' }],
    ['Upload', { ...upload, created_at: '1700000000' }],
    ['Upload', { ...upload, bytes: 3.5 }],
    ['Upload', (({ expires_at: _e, ...rest }) => rest)(upload)],
    ['Upload', { ...upload, status: 'completed', file: { ...file, status: 'ready' } }],
    ['Upload', { ...upload, status: 'completed', file: { ...file, purpose: 'evals' } }],
    ['Upload', { ...upload, status: 'completed', file: (({ bytes: _b, ...rest }) => rest)(file) }],
    ['OpenAIFile', { ...file, object: 'File' }],
    ['OpenAIFile', { ...file, expires_at: 1.5 }],
    ['OpenAIFile', { ...file, expires_at: '1700003600' }],
    ['OpenAIFile', { ...file, status_details: 7 }],
    ['OpenAIFile', { ...file, purpose: 'images' }],
    ['OpenAIFile', { ...file, bytes: null }],
    ['UploadPart', { ...part, object: 'part' }],
    ['UploadPart', (({ upload_id: _u, ...rest }) => rest)(part)],
    ['ListFilesResponse', (({ has_more: _h, ...rest }) => rest)(list)],
    ['ListFilesResponse', { ...list, has_more: 'false' }],
    ['ListFilesResponse', { ...list, data: [{ ...file, created_at: null }] }],
    ['DeleteFileResponse', { ...deleted, deleted: 'true' }],
    ['DeleteFileResponse', { ...deleted, object: 'file.deleted' }],
  ];
  for (const [name, value] of refused) {
    assert.equal(valid(name, value), false, `${name} should refuse ${JSON.stringify(value)}`);
  }
});

test('the nullable rewrite turns allOf [$ref, {nullable}] into "the ref or null" and keeps plain nodes as they are', () => {
  const rewritten = normaliseNullable({ allOf: [{ $ref: '#/x' }, { nullable: true, description: 'd' }] });
  assert.deepEqual(rewritten, { anyOf: [{ allOf: [{ $ref: '#/x' }, { description: 'd' }] }, { type: 'null' }] });
  const plain = { type: 'string', nullable: true, enum: ['a'] };
  assert.deepEqual(normaliseNullable(plain), plain);
});

test('the envelope checker refuses anything but exactly {"error":{"message","type","param","code"}}', () => {
  const answer = (json, status = 400) => ({
    status, json, text: JSON.stringify(json), headers: new Headers({ 'content-type': 'application/json' }),
  });
  const good = { error: { message: 'm', type: 'invalid_request_error', param: 'md5', code: null } };
  assertErrorEnvelope(answer(good), { status: 400, param: 'md5', code: null });
  const bad = [
    { ...good, detail: 'x' },
    { error: { message: 'm', type: 'invalid_request_error', param: 'md5' } },
    { error: { message: 'm', type: 'invalid_request_error', code: null } },
    { error: { message: '', type: 'invalid_request_error', param: null, code: null } },
    { error: { message: 'm', type: 'invalid_request_error', param: null, code: null, extra: 1 } },
    { error: 'm' },
    { message: 'm', type: 'invalid_request_error', param: null, code: null },
    { type: 'https://tools.ietf.org/html/rfc9110#section-15.5.1', title: 'Bad Request', status: 400 },
  ];
  for (const json of bad) {
    assert.throws(() => assertErrorEnvelope(answer(json)), assert.AssertionError, JSON.stringify(json));
  }
  assert.throws(() => assertErrorEnvelope(answer(good), { param: 'part_ids' }), assert.AssertionError);
  assert.throws(() => assertErrorEnvelope(answer(good), { status: 404 }), assert.AssertionError);
  assert.throws(() => assertErrorEnvelope({ ...answer(good), headers: new Headers({ 'content-type': 'text/plain' }) }), assert.AssertionError);
});
