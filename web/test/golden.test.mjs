// The golden corpus (testdata/cases) through the built package in Node:
// node --test web/test/. Each case's request is sent as the exact bytes of
// the case file, and the response must equal its "want" (or carry its
// "want_error_code"), as in the Go runner (internal/golden).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { load, SeclabelError } from '../dist/seclabel.js';
import { cases, check, memberSpan } from '../corpus.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const engine = await load({ wasm: fs.readFileSync(path.join(root, 'host/seclabel.wasm')) });

const exceptions = JSON.parse(fs.readFileSync(path.join(root, 'testdata/exceptions/node.json'), 'utf8'));
const all = [...cases(path.join(root, 'testdata/cases'))];

test('the corpus is there and the exception list is empty', () => {
  assert.ok(all.length > 100, `only ${all.length} cases`);
  assert.deepEqual(exceptions, {});
});

for (const c of all) {
  test(JSON.parse(c.text).note, () => {
    assert.equal(check(engine, c), undefined);
  });
}

// Text comes back as edits spliced into the text sent: the same result,
// character for character, as the UTF-8 bytes path, for every case of the
// corpus that carries a resource (code points past U+FFFF and space around
// the resource included).
test('text in and out gives the bytes path\'s result', () => {
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  const outcome = (f) => {
    try {
      return f();
    } catch (e) {
      return { code: e.code };
    }
  };
  const same = (text, op, extra, note) => {
    const viaBytes = outcome(() => engine.call(op, enc.encode(text), extra));
    const viaText = outcome(() => engine.call(op, text, extra));
    if (viaBytes.code !== undefined) return assert.deepEqual(viaText, viaBytes, note);
    const want = viaBytes.resource == null ? viaBytes.resource : dec.decode(viaBytes.resource); // null: withheld whole; validate and marks return none
    assert.equal(viaText.resource, want, note);
    assert.deepEqual({ ...viaText, resource: 0 }, { ...viaBytes, resource: 0 }, note);
  };
  let n = 0;
  for (const c of all) {
    const { note, request } = JSON.parse(c.text);
    if (typeof request?.resource !== 'object' || request.resource === null || request.op === undefined) continue;
    const text = memberSpan(memberSpan(c.text, 'request'), 'resource');
    same(text, request.op, { context: request.context, options: request.options, rules: request.rules }, note);
    n++;
  }
  assert.ok(n > 500, `only ${n} cases carry a resource`);
  const hiv = '{"resourceType":"Condition","id":"é𝄞-ü","code":{"coding":[{"system":"http://snomed.info/sct","code":"86406008","display":"𝄞 HIV ✓"}]},"note":[{"text":"日本語 😀"}]}';
  same(` \n ${hiv}\t `, 'label', {}, 'non-ASCII text, space around');
  same(hiv, 'hwm', {}, 'hwm of non-ASCII text');
  same(engine.label(hiv).resource, 'redact', { context: { clearance: 'R', deny: ['SUD'] } }, 'redact of non-ASCII text');
});

test('typed methods throw SeclabelError with the protocol code', () => {
  assert.throws(() => engine.hwm('{"resourceType":'), (e) => e instanceof SeclabelError && e.code === 'invalid_json');
  assert.throws(() => engine.label({ id: 'x' }), (e) => e.code === 'not_fhir');
  const bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Patient', meta: { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' }] } } }] };
  const conf = (res) => res.meta.security.find((l) => l.system.endsWith('v3-Confidentiality')).code;
  assert.equal(conf(engine.hwm(bundle).resource), 'R');
});

test('results come back in the form the resource was given', () => {
  const text = '{"resourceType":"Condition","code":{"coding":[{"system":"http://snomed.info/sct","code":"86406008"}]},"subject":{"reference":"Patient/p"}}';
  const asText = engine.label(text).resource;
  assert.equal(typeof asText, 'string');
  assert.ok(JSON.parse(asText).meta.security.some((l) => l.code === 'HIV'));
  const asBytes = engine.label(new TextEncoder().encode(text)).resource;
  assert.ok(asBytes instanceof Uint8Array);
  assert.equal(new TextDecoder().decode(asBytes), asText);
  assert.deepEqual(engine.label(JSON.parse(text)).resource, JSON.parse(asText));
  const withheld = engine.redact(asText, { clearance: 'N' }); // labeled R: withheld whole
  assert.equal(withheld.resource, null);
  assert.equal(withheld.report.withheld.length, 1);
});

test('call runs every operation by its name, as the named methods do', () => {
  const text = '{"resourceType":"Condition","id":"c","code":{"coding":[{"system":"http://snomed.info/sct","code":"86406008"}]},"subject":{"reference":"Patient/p"}}';
  const labeled = engine.label(text).resource;
  const context = { clearance: 'R', deny: ['SUD'] };
  assert.deepEqual(engine.call('label', text), engine.label(text));
  assert.deepEqual(engine.call('hwm', labeled), engine.hwm(labeled));
  assert.deepEqual(engine.call('validate', labeled), engine.validate(labeled));
  assert.deepEqual(engine.call('redact', labeled, { context }), engine.redact(labeled, context));
  assert.deepEqual(engine.call('marks', labeled).report.display, engine.marks(labeled));
  assert.throws(() => engine.call('labelx', text), (e) => e.code === 'invalid_option' && e.message.includes('"marks"'));
});

test('marks lists annotations and mark labels for a banner', () => {
  const marks = engine.marks({ resourceType: 'Patient', meta: {
    extension: [{ url: 'http://hl7.org/fhir/uv/security-label-ds4p/StructureDefinition/extension-display', valueAnnotation: { text: 'Do not copy' } }],
    security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'COPYMark' }] } });
  assert.deepEqual(marks.map((m) => [m.kind, m.text]), [['annotation', 'Do not copy'], ['label', 'copy of original mark']]);
});

test('a module without the seclabel exports is refused', async () => {
  // An empty module: eight bytes of header.
  const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);
  await assert.rejects(load({ wasm: bytes }), (e) => e instanceof SeclabelError && e.code === 'unsupported_module');
});

test('memoryBytes is the linear memory, grown by a big input', async () => {
  const fresh = await load({ wasm: fs.readFileSync(path.join(root, 'host/seclabel.wasm')) });
  const before = fresh.memoryBytes;
  assert.ok(before > 0 && before % 65536 === 0);
  const entry = '{"resource":{"resourceType":"Condition","id":"c","code":{"coding":[{"system":"http://snomed.info/sct","code":"5602001"}]}}}';
  const bundle = new TextEncoder().encode(`{"resourceType":"Bundle","type":"collection","entry":[${Array(40000).fill(entry).join(',')}]}`);
  fresh.hwm(bundle);
  assert.ok(fresh.memoryBytes > before + bundle.length, `${fresh.memoryBytes} after a ${bundle.length}-byte input (was ${before})`);
});
