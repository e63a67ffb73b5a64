'use strict';
// The Files API through the official openai npm package: POST /files (multipart), listing with the SDK's
// auto-paging, and GET /files/{id}/content as api.md 3 describes it.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const {
  OpenAI, toFile, client, raw, KEY_B, randomBytes, runTag, rejectsWith, FILE_ID,
} = require('../lib/harness');

const sdk = client();

test('files.create stores a multipart file as a processed FileObject whose content reads back byte for byte', async () => {
  const data = randomBytes(200_003);
  const filename = `direct-${runTag()}.pdf`;
  const file = await sdk.files.create({ file: await toFile(data, filename), purpose: 'assistants' });
  assert.match(file.id, FILE_ID);
  assert.equal(file.object, 'file');
  assert.equal(file.bytes, data.length);
  assert.equal(file.filename, filename);
  assert.equal(file.purpose, 'assistants');
  assert.equal(file.status, 'processed');
  assert.equal(file.status_details, null);
  assert.equal(file.expires_at, null, 'no expires_after and not batch: no expiry');
  const now = Math.floor(Date.now() / 1000);
  assert.ok(Math.abs(file.created_at - now) < 300, `created_at ${file.created_at} is Unix seconds near ${now}`);

  assert.deepEqual(await sdk.files.retrieve(file.id), file);
  const content = Buffer.from(await (await sdk.files.content(file.id)).arrayBuffer());
  assert.ok(content.equals(data));
  assert.deepEqual(await sdk.files.delete(file.id), { id: file.id, object: 'file', deleted: true });
  await rejectsWith(sdk.files.retrieve(file.id), OpenAI.NotFoundError, { status: 404, param: 'id' });
});

test('files.create with expires_after {anchor: created_at, seconds: 3600} answers expires_at = created_at + 3600', async () => {
  const file = await sdk.files.create({
    file: await toFile(Buffer.from('{"a":1}\n'), `exp-${runTag()}.jsonl`),
    purpose: 'user_data',
    expires_after: { anchor: 'created_at', seconds: 3600 },
  });
  assert.equal(file.expires_at, file.created_at + 3600);
  const retrieved = await sdk.files.retrieve(file.id);
  assert.equal(retrieved.expires_at, file.created_at + 3600);
  await sdk.files.delete(file.id);

  // api.md 7: seconds must lie in 3600 .. 2,592,000.
  for (const seconds of [3599, 2_592_001]) {
    const error = await rejectsWith(
      sdk.files.create({ file: await toFile(Buffer.from('x'), 'x.txt'), purpose: 'user_data', expires_after: { anchor: 'created_at', seconds } }),
      OpenAI.BadRequestError, { status: 400 });
    assert.match(String(error.param), /expires_after/, `param names the field: ${JSON.stringify(error.error)}`);
  }
});

test('files.create refuses an unknown purpose with 400 on purpose', async () => {
  await rejectsWith(sdk.files.create({ file: await toFile(Buffer.from('x'), 'x.txt'), purpose: 'nonsense' }),
    OpenAI.BadRequestError, { status: 400, param: 'purpose', message: /nonsense/ });
});

test('files.list auto-paging with limit 10 yields every file of a purpose exactly once, newest first, and oldest first with order asc', async () => {
  // Project B and the purpose "vision" are used by no other test, so the listing is known exactly: what was
  // there before (from an earlier run against the same server) plus what this test creates.
  const sdkB = client(KEY_B);
  const before = [];
  for await (const f of sdkB.files.list({ purpose: 'vision', limit: 10_000 })) before.push(f.id);

  const tag = runTag();
  const created = [];
  for (let batch = 0; batch < 5; batch++) {
    // Five at a time, so several share a created_at second: paging must not lose or repeat ties.
    created.push(...await Promise.all([0, 1, 2, 3, 4].map(async (i) =>
      sdkB.files.create({ file: await toFile(Buffer.from(`image ${batch}-${i}`), `list-${tag}-${batch}-${i}.png`), purpose: 'vision' }))));
  }
  const control = await sdkB.files.create({ file: await toFile(Buffer.from('not vision'), `control-${tag}.txt`), purpose: 'assistants' });
  const expected = new Set([...before, ...created.map((f) => f.id)]);
  assert.equal(expected.size, before.length + 25);

  for (const order of [undefined, 'desc', 'asc']) {
    const query = { limit: 10, purpose: 'vision', ...(order ? { order } : {}) };
    const seen = [];
    for await (const f of sdkB.files.list(query)) {
      assert.equal(f.purpose, 'vision', `the purpose filter holds (${f.id})`);
      assert.equal(f.object, 'file');
      seen.push(f);
    }
    const ids = seen.map((f) => f.id);
    assert.equal(new Set(ids).size, ids.length, `order ${order}: no file twice`);
    assert.deepEqual(new Set(ids), expected, `order ${order}: exactly the files of the purpose`);
    assert.ok(!ids.includes(control.id));
    for (let i = 1; i < seen.length; i++) {
      const [a, b] = [seen[i - 1].created_at, seen[i].created_at];
      assert.ok(order === 'asc' ? a <= b : a >= b, `order ${order ?? '(default desc)'}: created_at ${a} then ${b}`);
    }

    // Page by page: full pages say has_more, the last one does not, and first_id/last_id name the ends.
    const pages = [];
    for await (const page of (await sdkB.files.list(query)).iterPages()) pages.push(page);
    assert.equal(pages.length, Math.ceil(expected.size / 10), `order ${order}: page count`);
    pages.forEach((page, i) => {
      const last = i === pages.length - 1;
      assert.equal(page.body.object, 'list');
      assert.equal(page.body.has_more, !last, `page ${i + 1}/${pages.length}: has_more`);
      assert.equal(page.data.length, last ? expected.size - 10 * i : 10, `page ${i + 1}: size`);
      assert.equal(page.body.first_id, page.data[0].id);
      assert.equal(page.body.last_id, page.data[page.data.length - 1].id);
    });
  }

  // has_more is exact at the boundary: a page that holds the rest says false, one short of it says true.
  const exact = await sdkB.files.list({ purpose: 'vision', limit: expected.size });
  assert.equal(exact.data.length, expected.size);
  assert.equal(exact.has_more, false);
  const shortByOne = await sdkB.files.list({ purpose: 'vision', limit: expected.size - 1 });
  assert.equal(shortByOne.data.length, expected.size - 1);
  assert.equal(shortByOne.has_more, true);

  await Promise.all([...created, control].map((f) => sdkB.files.delete(f.id)));
});

test('GET /files/{id}/content is application/octet-stream whatever Accept says, with Content-Length, ETag and Range support', async () => {
  const data = randomBytes(1000);
  const file = await sdk.files.create({ file: await toFile(data, `range-${runTag()}.bin`), purpose: 'assistants' });

  const whole = await raw('GET', `/files/${file.id}/content`, { headers: { accept: 'application/json' } });
  assert.equal(whole.status, 200);
  assert.match(String(whole.headers.get('content-type')), /^application\/octet-stream\b/);
  assert.equal(whole.headers.get('content-length'), '1000');
  assert.ok(whole.headers.get('etag'), 'ETag is sent');
  assert.match(String(whole.headers.get('accept-ranges')), /bytes/);
  assert.ok(whole.bytes.equals(data));

  const part = await raw('GET', `/files/${file.id}/content`, { headers: { range: 'bytes=100-199' } });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get('content-range'), 'bytes 100-199/1000');
  assert.ok(part.bytes.equals(data.subarray(100, 200)));

  await sdk.files.delete(file.id);
});
