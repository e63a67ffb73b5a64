'use strict';
// Shared plumbing for the Node conformance suite: where the server is, SDK clients, a raw-fetch helper that sees
// the wire exactly, OpenAI's schemas compiled with Ajv, and assertions for docs/api.md's error envelope.

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { default: OpenAI, toFile } = require('openai');
const Ajv = require('ajv');

const BASE_URL = (process.env.TESSERA_BASE_URL || 'http://127.0.0.1:18080/v1').replace(/\/+$/, '');
const KEY_A = process.env.TESSERA_KEY_A || 'sk-alpha-key-0001';
const KEY_B = process.env.TESSERA_KEY_B || 'sk-beta-key-0002';
// The project names the runner configures for KEY_A and KEY_B (only the OpenAI-Project header test needs them).
const PROJECT_A = process.env.TESSERA_PROJECT_A || 'alpha';
const PROJECT_B = process.env.TESSERA_PROJECT_B || 'beta';
const OPENAPI_PATH = process.env.TESSERA_OPENAPI_PATH
  || path.resolve(__dirname, '../../openai-openapi/uploads-files.json');

const REQUEST_ID = /^req_[0-9a-f]{32}$/;
const UPLOAD_ID = /^upload_[0-9a-f]{32}$/;
const PART_ID = /^part_[0-9a-f]{32}$/;
const FILE_ID = /^file-[1-9A-HJ-NP-Za-km-z]{22}$/;

/** An SDK client as a user would make one; maxRetries 0 so a wrong status is seen, not retried away. */
function client(apiKey = KEY_A, options = {}) {
  return new OpenAI({ apiKey, baseURL: BASE_URL, maxRetries: 0, timeout: 30_000, ...options });
}

/**
 * One HTTP request with fetch, bypassing the SDK, so the test sees status, headers and body exactly as sent.
 * `key: null` sends no Authorization header. Every answer must carry a well-formed x-request-id (api.md 1).
 */
async function raw(method, urlPath, { key = KEY_A, json, body, headers = {}, baseUrl = BASE_URL } = {}) {
  const sent = { ...headers };
  if (key !== null) sent.authorization = `Bearer ${key}`;
  let payload = body;
  if (json !== undefined) {
    sent['content-type'] = 'application/json';
    payload = typeof json === 'string' ? json : JSON.stringify(json);
  }
  const response = await fetch(baseUrl + urlPath, { method, headers: sent, body: payload });
  const bytes = Buffer.from(await response.arrayBuffer());
  const text = bytes.toString('utf8');
  let parsed;
  try { parsed = JSON.parse(text); } catch { parsed = undefined; }
  const requestId = response.headers.get('x-request-id');
  assert.match(String(requestId), REQUEST_ID, `x-request-id of ${method} ${urlPath} (status ${response.status})`);
  return { status: response.status, headers: response.headers, bytes, text, json: parsed, requestId };
}

/** Asserts a raw answer is 200 JSON and returns the parsed body. */
function ok(answer, what) {
  assert.equal(answer.status, 200, `${what}: expected 200, got ${answer.status} ${answer.text}`);
  assert.match(String(answer.headers.get('content-type')), /^application\/json\b/i, `${what}: content-type`);
  assert.ok(answer.json && typeof answer.json === 'object', `${what}: body is not a JSON object: ${answer.text}`);
  return answer.json;
}

/** api.md 2: every non-2xx body is exactly {"error":{"message","type","param","code"}}, all four keys present. */
function assertErrorEnvelope(answer, { status, type = 'invalid_request_error', param, code } = {}) {
  const where = `${answer.status} ${answer.text}`;
  if (status !== undefined) assert.equal(answer.status, status, `status: ${where}`);
  assert.match(String(answer.headers.get('content-type')), /^application\/json\b/i, `content-type of error: ${where}`);
  assert.ok(answer.json && typeof answer.json === 'object' && !Array.isArray(answer.json), `error body is not a JSON object: ${where}`);
  assert.deepEqual(Object.keys(answer.json), ['error'], `top-level keys: ${where}`);
  const error = answer.json.error;
  assert.ok(error && typeof error === 'object', `error is not an object: ${where}`);
  assert.deepEqual(Object.keys(error).sort(), ['code', 'message', 'param', 'type'], `error keys: ${where}`);
  assert.equal(typeof error.message, 'string', `message type: ${where}`);
  assert.ok(error.message.length > 0, `empty message: ${where}`);
  assert.equal(typeof error.type, 'string', `type: ${where}`);
  assert.ok(error.param === null || typeof error.param === 'string', `param must be string|null: ${where}`);
  assert.ok(error.code === null || typeof error.code === 'string', `code must be string|null: ${where}`);
  if (type !== undefined) assert.equal(error.type, type, `error.type: ${where}`);
  if (param !== undefined) assert.equal(error.param, param, `error.param: ${where}`);
  if (code !== undefined) assert.equal(error.code, code, `error.code: ${where}`);
  return error;
}

/**
 * Awaits an SDK call that must fail and checks the error class the SDK chose and the fields it read from the
 * envelope. Returns the error for further checks.
 */
async function rejectsWith(promise, ErrorClass, { status, param, code, type = 'invalid_request_error', message } = {}) {
  let error;
  try {
    const value = await promise;
    assert.fail(`expected ${ErrorClass.name}, but the call succeeded with ${JSON.stringify(value)}`);
  } catch (caught) {
    error = caught;
  }
  if (error instanceof assert.AssertionError) throw error;
  assert.ok(error instanceof ErrorClass,
    `expected ${ErrorClass.name}, got ${error?.constructor?.name}: ${error?.message}`);
  const detail = `${error.constructor.name} ${error.message} ${JSON.stringify(error.error)}`;
  if (status !== undefined) assert.equal(error.status, status, `status: ${detail}`);
  if (param !== undefined) assert.equal(error.param, param, `param: ${detail}`);
  if (code !== undefined) assert.equal(error.code, code, `code: ${detail}`);
  if (type !== undefined) assert.equal(error.type, type, `type: ${detail}`);
  if (message !== undefined) assert.match(error.error?.message ?? '', message, `message: ${detail}`);
  assert.match(String(error.requestID), REQUEST_ID, `requestID of the error: ${detail}`);
  return error;
}

const md5Hex = (bytes) => crypto.createHash('md5').update(bytes).digest('hex');
const md5Base64 = (bytes) => crypto.createHash('md5').update(bytes).digest('base64');
/** CRC32C (Castagnoli) as Tessera's x-tessera-checksum-crc32c writes it: base64 of its 4 bytes, most significant first. Node has no CRC32C of its own. */
const crc32cBase64 = (bytes) => {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  const out = Buffer.alloc(4);
  out.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
  return out.toString('base64');
};
const randomBytes = (n) => crypto.randomBytes(n);
/** A tag to tell this run's objects apart in file names. */
const runTag = () => `${process.pid}-${crypto.randomBytes(4).toString('hex')}`;

/** Creates a pending upload of `data`, adds it as parts in the given chunk sizes (sequentially), returns both. */
async function uploadWithParts(sdk, data, chunkSizes, { purpose = 'assistants', filename = `parts-${runTag()}.bin`, mime_type = 'application/octet-stream' } = {}) {
  const upload = await sdk.uploads.create({ bytes: data.length, filename, mime_type, purpose });
  const parts = [];
  let offset = 0;
  for (const size of chunkSizes) {
    const chunk = data.subarray(offset, offset + size);
    offset += size;
    parts.push(await sdk.uploads.parts.create(upload.id, { data: await toFile(chunk, 'chunk.bin') }));
  }
  return { upload, parts };
}

// ---------------------------------------------------------------------------------------------------------------
// OpenAI's schemas (uploads-files.json, OpenAPI 3.0) compiled with Ajv.

/**
 * Where docs/api.md and OpenAI's document disagree, docs/api.md wins (its own words). These are the only changes made to
 * the document, each with the line of the reference it comes from. They loosen nothing else: types, required keys and enums
 * stay as OpenAI wrote them.
 */
const REFERENCE_OVERLAY = [
  // api.md 3: FileObject `"expires_at"(int|null)` (null unless expires_after was given or the purpose is batch).
  ['OpenAIFile', 'expires_at'],
  // api.md 3: FileObject `"status_details":null` (the document says string, OpenAI's service sends null).
  ['OpenAIFile', 'status_details'],
  // api.md 3: GET /files answers `"first_id":…|null,"last_id":…|null` (null for an empty page).
  ['ListFilesResponse', 'first_id'],
  ['ListFilesResponse', 'last_id'],
];

/**
 * OpenAPI 3.0 writes "nullable" next to a $ref as `allOf: [{$ref}, {nullable: true}]`; Ajv only understands
 * `nullable` beside `type`. Rewrites those nodes to `anyOf: [<the node without nullable>, {type: 'null'}]`,
 * which is what the document means (Upload.file: "The ready File object", null or absent until completed).
 */
function normaliseNullable(node) {
  if (Array.isArray(node)) return node.map(normaliseNullable);
  if (!node || typeof node !== 'object') return node;
  const typeless = (s) => s && typeof s === 'object' && s.nullable === true && s.type === undefined;
  const strip = ({ nullable: _drop, ...rest }) => rest;
  let nullable = typeless(node);
  let own = nullable ? strip(node) : node;
  if (Array.isArray(own.allOf) && own.allOf.some(typeless)) {
    // The null must be allowed by the whole allOf, not by one member of it, so it moves up to this node.
    nullable = true;
    own = { ...own, allOf: own.allOf.map((m) => (typeless(m) ? strip(m) : m)) };
  }
  const out = {};
  for (const [k, v] of Object.entries(own)) out[k] = normaliseNullable(v);
  return nullable ? { anyOf: [out, { type: 'null' }] } : out;
}

let compiled;
function schemas() {
  if (compiled) return compiled;
  const document = JSON.parse(fs.readFileSync(OPENAPI_PATH, 'utf8'));
  const components = structuredClone(document.components.schemas);
  for (const [schemaName, property] of REFERENCE_OVERLAY) {
    const target = components[schemaName]?.properties?.[property];
    assert.ok(target, `API reference overlay: ${schemaName}.${property} is not in ${OPENAPI_PATH}`);
    target.nullable = true;
  }
  const ajv = new Ajv({ strict: false, allErrors: true });
  // OpenAPI formats: "unixtime" is integer Unix seconds (api.md 1), "int64" a 64-bit integer.
  ajv.addFormat('unixtime', { type: 'number', validate: (x) => Number.isSafeInteger(x) && x >= 0 });
  ajv.addFormat('int64', { type: 'number', validate: (x) => Number.isSafeInteger(x) });
  const id = 'https://tessera.invalid/openai-openapi/uploads-files.json';
  ajv.addSchema({ $id: id, components: { schemas: normaliseNullable(components) } });
  const cache = new Map();
  compiled = {
    path: OPENAPI_PATH,
    validator(name) {
      if (!cache.has(name)) {
        assert.ok(components[name], `no schema ${name} in ${OPENAPI_PATH}`);
        cache.set(name, ajv.compile({ $ref: `${id}#/components/schemas/${name}` }));
      }
      return cache.get(name);
    },
  };
  return compiled;
}

/** Asserts that `value` validates against OpenAI's component schema `name`. */
function assertMatchesSchema(name, value, what = name) {
  const validate = schemas().validator(name);
  const valid = validate(value);
  assert.ok(valid, `${what} does not validate against ${name}: ${JSON.stringify(validate.errors, null, 1)}\nvalue: ${JSON.stringify(value)}`);
}

module.exports = {
  BASE_URL, KEY_A, KEY_B, PROJECT_A, PROJECT_B, OPENAPI_PATH,
  REQUEST_ID, UPLOAD_ID, PART_ID, FILE_ID,
  OpenAI, toFile, client, raw, ok, assertErrorEnvelope, rejectsWith,
  md5Hex, md5Base64, crc32cBase64, randomBytes, runTag, uploadWithParts,
  schemas, assertMatchesSchema, normaliseNullable,
};
