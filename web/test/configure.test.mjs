// configure between calls, through the built package in Node: the module
// reuses its input buffer, so what a configure request leaves behind must
// not point into it (node --test web/test/).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { load, SeclabelError } from '../dist/seclabel.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const wasm = fs.readFileSync(path.join(root, 'host/seclabel.wasm'));

// A Condition coded SNOMED 1234, which the default pack leaves alone, and a
// pack that labels it.
const condition = { resourceType: 'Condition', id: 'c', code: { coding: [{ system: 'http://snomed.info/sct', code: '1234' }] }, subject: { reference: 'Patient/p' } };
const pack = { name: 'p', rules: [{ id: 'r', labels: ['HIV'], codes: { 'http://snomed.info/sct': ['1234'] } }] };
const otherPack = { name: 'q', rules: [{ id: 'q', labels: ['SUD'], codes: { 'http://snomed.info/sct': ['5678'] } }] };

// labels returns the codes a label result added, each with its classifier.
const labels = (res) => (res.resource.meta?.security ?? []).map((l) => `${l.code} by ${l.extension?.[0]?.valueReference?.display}`);

test('label, configure, label', async () => {
  const engine = await load({ wasm });
  assert.deepEqual(engine.label(condition).report.labeled, []);
  engine.configure({ rules: [pack] });
  assert.deepEqual(labels(engine.label(condition)), ['R by seclabel', 'HIV by seclabel']);
  assert.deepEqual(labels(engine.label(condition)), ['R by seclabel', 'HIV by seclabel']);
});

test('configure twice, then label', async () => {
  const engine = await load({ wasm });
  engine.configure({ rules: [otherPack], options: { classifier: 'First' } });
  engine.configure({ rules: [pack], options: { classifier: 'Second', propagate: ['Condition.encounter'] } });
  assert.deepEqual(labels(engine.label(condition)), ['R by Second', 'HIV by Second']);
  const bundle = { resourceType: 'Bundle', type: 'collection', entry: [
    { fullUrl: 'urn:uuid:c', resource: { ...condition, encounter: { reference: 'urn:uuid:e' } } },
    { fullUrl: 'urn:uuid:e', resource: { resourceType: 'Encounter', id: 'e', status: 'finished', class: { code: 'AMB' } } }] };
  const res = engine.label(bundle);
  assert.deepEqual(res.report.labeled.map((l) => l.type), ['Condition', 'Encounter']);
});

test('raw requests: label, configure, label', async () => {
  const engine = await load({ wasm });
  const label = JSON.stringify({ op: 'label', resource: condition });
  assert.match(engine.request(label), /"labeled":\[\]/);
  assert.equal(engine.request(JSON.stringify({ op: 'configure', rules: [pack], options: { classifier: 'Raw' } })), '{"protocol":1,"op":"configure"}');
  const resp = JSON.parse(engine.request(label));
  assert.deepEqual(labels(resp), ['R by Raw', 'HIV by Raw']);
});

test('load with rules, then a rejected configure keeps them', async () => {
  const engine = await load({ wasm, rules: [pack], options: { classifier: 'Loaded' } });
  assert.deepEqual(labels(engine.label(condition)), ['R by Loaded', 'HIV by Loaded']);
  assert.throws(() => engine.configure({ rules: [{ rules: [{ id: 'x' }] }] }), (e) => e instanceof SeclabelError && e.code === 'invalid_rules');
  assert.deepEqual(labels(engine.label(condition)), ['R by Loaded', 'HIV by Loaded']);
});
