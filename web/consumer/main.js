// What a FHIR app does with the package, with no bundler configuration:
// connect() to an engine in the package's own Web Worker, label a Bundle,
// show its marks as banners; and load() on the page, which must agree.
// body[data-done] says it is over ("ok" or "error").

import { load, connect } from 'seclabel';

const condition = (id, system, code) => ({
  fullUrl: `urn:uuid:${id}`,
  resource: { resourceType: 'Condition', id, code: { coding: [{ system, code }] }, subject: { reference: 'urn:uuid:p' } },
});
const bundle = {
  resourceType: 'Bundle',
  type: 'collection',
  entry: [
    { fullUrl: 'urn:uuid:p', resource: { resourceType: 'Patient', id: 'p' } },
    condition('hiv', 'http://snomed.info/sct', '86406008'), // HIV infection
    condition('oud', 'http://hl7.org/fhir/sid/icd-10-cm', 'F11.10'), // opioid abuse: 42 CFR Part 2
  ],
};

const codes = (res) => (res.meta?.security ?? []).map((l) => l.code).sort().join(' ');

try {
  const remote = await connect();
  const { resource } = await remote.label(bundle);
  const marks = await remote.marks(resource);
  document.getElementById('labels').textContent = codes(resource.entry[1].resource);
  for (const m of marks) {
    const div = document.createElement('div');
    div.className = 'banner';
    div.textContent = `${m.location}: ${m.text}`;
    document.getElementById('banners').append(div);
  }
  const engine = await load();
  const here = engine.label(bundle).resource;
  if (JSON.stringify(here) !== JSON.stringify(resource)) throw new Error('the page and the worker label differently');
  remote.worker.terminate();
  document.body.dataset.done = 'ok';
} catch (err) {
  document.getElementById('error').textContent = String(err?.stack || err);
  document.body.dataset.done = 'error';
}
