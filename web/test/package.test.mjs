// The npm package (web/npm, written by make web) in Node, from a copy laid
// out as npm installs it, with the module beside its scripts (the
// committed directory leaves seclabel.wasm out): import and require, the
// default module location, paths and file: URLs; and the text and object
// paths, whose results must be those of the bytes path, as text.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const wasmFile = path.join(root, 'host/seclabel.wasm');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seclabel-package-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'web/npm/package.json'), 'utf8'));
for (const name of pkg.files) {
  fs.copyFileSync(name === 'seclabel.wasm' ? wasmFile : path.join(root, 'web/npm', name), path.join(dir, name));
}
fs.copyFileSync(path.join(root, 'web/npm/package.json'), path.join(dir, 'package.json'));

const esm = await import(pathToFileURL(path.join(dir, 'node.js')).href);
const cjs = createRequire(import.meta.url)(path.join(dir, 'node.cjs'));

const hiv = { resourceType: 'Condition', id: 'c', code: { coding: [{ system: 'http://snomed.info/sct', code: '86406008' }] }, subject: { reference: 'Patient/p' } };
const codes = (res) => res.meta.security.map((l) => l.code).sort();

test('the manifest names every file the package has, and its entries', () => {
  assert.equal(pkg.type, 'module');
  assert.equal(pkg.exports['.'].node.import.default, './node.js');
  assert.equal(pkg.exports['.'].node.require.default, './node.cjs');
  assert.equal(pkg.exports['.'].browser, './seclabel.js');
  const written = fs.readdirSync(path.join(root, 'web/npm')).filter((f) => f !== 'package.json' && f !== 'seclabel.wasm');
  assert.deepEqual([...written].sort(), pkg.files.filter((f) => f !== 'seclabel.wasm'));
});

for (const [name, mod] of [['import', esm], ['require', cjs]]) {
  test(`${name}: load() finds the module beside the package`, async () => {
    const engine = await mod.load();
    assert.deepEqual(codes(engine.label(hiv).resource), ['HIV', 'R']);
  });

  test(`${name}: load({wasm}) takes a path, a file: URL string or a URL`, async () => {
    const rel = path.relative(process.cwd(), path.join(dir, 'seclabel.wasm'));
    for (const wasm of [path.join(dir, 'seclabel.wasm'), rel, pathToFileURL(path.join(dir, 'seclabel.wasm')).href, pathToFileURL(path.join(dir, 'seclabel.wasm'))]) {
      const engine = await mod.load({ wasm });
      assert.deepEqual(codes(engine.label(hiv).resource), ['HIV', 'R'], String(wasm));
    }
  });

  test(`${name}: a missing file is a SeclabelError naming it`, async () => {
    for (const wasm of [path.join(dir, 'missing.wasm'), pathToFileURL(path.join(dir, 'missing.wasm')).href]) {
      await assert.rejects(mod.load({ wasm }), (e) => e instanceof mod.SeclabelError && e.code === 'unsupported_module' && e.message.includes('missing.wasm'));
    }
  });

  test(`${name}: createWorker says Node has no Web Workers`, () => {
    assert.throws(() => mod.createWorker(), (e) => e.code === 'unsupported_module' && /load\(\)/.test(e.message));
  });
}

const engine = await esm.load();
const enc = new TextEncoder();
const dec = new TextDecoder();

// Inputs whose text is not all ASCII, in every place the buffer sized for
// ASCII can be outgrown: near the start and the end, two-, three- and four-byte
// characters, lone surrogates (written as U+FFFD) and U+FFFD itself, and a
// big Bundle.
function inputs() {
  const note = (text) => ({ ...hiv, note: [{ text }] });
  const entry = (i) => ({ resource: { ...hiv, id: `c${i}`, note: [{ text: `Señora ${i} — 診断 😀` }] } });
  return [
    ['ASCII', JSON.stringify(hiv)],
    ['near the start', JSON.stringify({ resourceType: 'Condition', note: [{ text: 'ü' }], ...hiv })],
    ['near the end', `${JSON.stringify(note('HIV positive, résumé'))}`],
    ['three and four bytes', JSON.stringify(note('患者 😀 \u{10ffff}'))],
    // JSON.stringify escapes a lone surrogate: put in by hand, it is raw.
    ['lone surrogate', JSON.stringify(note('broken @ pair')).replace('@', '\ud800')],
    ['U+FFFD itself', JSON.stringify(note('replaced \ufffd here, 診断'))],
    ['a lone surrogate among many entries', JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: Array.from({ length: 200 }, (_, i) => (i === 150 ? { resource: note('low @ alone') } : entry(i))) }).replace('@', '\udc00')],
    ['big Bundle', JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: Array.from({ length: 3000 }, (_, i) => entry(i)) })],
  ];
}

test('text in, text out: the result of the bytes path, as text', () => {
  for (const [what, text] of inputs()) {
    for (const run of [(r) => engine.label(r), (r) => engine.hwm(r), (r) => engine.validate(r), (r) => engine.redact(r, { clearance: 'N', deny: ['HIV'] })]) {
      const fromBytes = run(enc.encode(text));
      const fromText = run(text);
      assert.equal(typeof fromText.resource === 'string' || fromText.resource === null || fromText.resource === undefined, true, what);
      if (fromBytes.resource instanceof Uint8Array) assert.equal(fromText.resource, dec.decode(fromBytes.resource), what);
      else assert.equal(fromText.resource, fromBytes.resource, what);
      assert.deepEqual({ ...fromText, resource: 0 }, { ...fromBytes, resource: 0 }, what);
    }
  }
});

test('object in, object out: the result of the bytes path, as parsed text', () => {
  for (const [what, text] of inputs()) {
    const obj = JSON.parse(text);
    const fromObject = engine.label(obj);
    const fromBytes = engine.label(enc.encode(JSON.stringify(obj)));
    assert.equal(JSON.stringify(fromObject.resource), dec.decode(fromBytes.resource), what);
    assert.deepEqual(fromObject.report, fromBytes.report, what);
  }
});

test('a raw request in text that is not ASCII', () => {
  const resp = JSON.parse(engine.request(JSON.stringify({ op: 'label', resource: { ...hiv, note: [{ text: 'Señora 😀' }] } })));
  assert.equal(resp.resource.note[0].text, 'Señora 😀');
  assert.deepEqual(codes(resp.resource), ['HIV', 'R']);
});
