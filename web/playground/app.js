// The playground page: everything is computed in the browser by the
// engine's WebAssembly module, in a Web Worker so the page stays responsive.

import { connect } from '../src/seclabel.js';

const $ = (id) => document.getElementById(id);
const started = performance.now();
let engine;
let lastOutput = null; // { text(), name }

const CONFIDENTIALITY = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
// Output shown at first, in characters; "Show more" doubles it, Download
// has all. Drawing megabytes of JSON would hold the page for seconds.
const RENDER_FIRST = 60_000;
// Text longer than this is not put in the text area, whose layout of
// megabytes of lines freezes the page: it shows the beginning, read-only,
// and runs read the whole text.
const LARGE_TEXT = 1_000_000;
const PREVIEW = 100_000;
const PAGE = 50; // resources, rows or matches drawn at a time

async function start() {
  try {
    engine = await connect(new Worker(new URL('worker.js', import.meta.url), { type: 'module' }),
      { wasm: new URL('seclabel.wasm', import.meta.url).href });
    const ms = Math.round(performance.now() - started);
    $('status').textContent = `Engine ready (${ms} ms)`;
    document.body.dataset.ready = String(ms);
    document.body.dataset.readyAt = String(Math.round(performance.now())); // since navigation began
  } catch (err) {
    $('status').textContent = `The engine could not start: ${err.message}`;
    return;
  }
  if ('serviceWorker' in navigator && location.protocol.startsWith('http')) {
    navigator.serviceWorker.register('sw.js').catch(() => {}); // offline use is a bonus
  }
  loadSamples();
  for (const [id, fn] of [['run-label', runLabel], ['run-hwm', runHWM], ['run-validate', runValidate], ['run-redact', runRedact]]) {
    $(id).addEventListener('click', () => guard(fn, true));
  }
  $('download').addEventListener('click', download);
  $('file').addEventListener('change', async (e) => { const f = e.target.files[0]; if (f) setSource(await f.text(), f.name); });
  $('edit-all').addEventListener('click', () => { const text = sourceText(); setSource(text, null, true); });
  for (const r of document.querySelectorAll('input[name=filter]')) r.addEventListener('change', () => shown?.redraw());
  $('changes-box').addEventListener('toggle', () => shown?.changes());
  $('pack-file').addEventListener('change', () => { $('pack-upload-choice').checked = true; guard(applyPack); });
  for (const r of document.querySelectorAll('input[name=pack]')) r.addEventListener('change', () => guard(applyPack));
  const src = $('source');
  src.addEventListener('dragover', (e) => { e.preventDefault(); src.classList.add('drop'); });
  src.addEventListener('dragleave', () => src.classList.remove('drop'));
  src.addEventListener('drop', async (e) => {
    e.preventDefault();
    src.classList.remove('drop');
    const f = e.dataTransfer.files[0];
    if (f) setSource(await f.text(), f.name);
  });
}

async function loadSamples() {
  const list = await (await fetch('samples/index.json')).json();
  const sel = $('sample');
  for (const s of list) sel.add(new Option(s.title, s.file));
  sel.addEventListener('change', async () => {
    const s = list.find((x) => x.file === sel.value);
    $('sample-about').textContent = s ? s.description : '';
    if (s) setSource(await (await fetch('samples/' + s.file)).text());
  });
}

// big holds a large file's text, which the text area only previews.
let big = null;

function setSource(text, name, edit = false) {
  const src = $('source');
  if (text.length > LARGE_TEXT && !edit) {
    big = { text, name };
    src.value = text.slice(0, PREVIEW);
    src.readOnly = true;
    $('source-about').textContent = `${name || 'The input'} has ${size(text.length)}: the text area shows its first ${size(PREVIEW)}, read-only, and every run reads all of it.`;
    $('source-note').hidden = false;
    return;
  }
  big = null;
  src.readOnly = false;
  src.value = text;
  $('source-note').hidden = true;
}

// sourceText is what runs: the large file, or the text area's text.
function sourceText() {
  return big ? big.text : $('source').value;
}

function size(chars) {
  return chars >= 1e6 ? `${(chars / 1e6).toFixed(1)} million characters` : `${Math.round(chars / 1000)} thousand characters`;
}

const RESULT_BOXES = ['progress', 'chips-box', 'words-box', 'hwm-box', 'withheld-box', 'changes-box', 'diag-box', 'json-box'];
let pending = Promise.resolve();
let running = false;

// guard runs one action at a time, showing its failure with the protocol's
// error code. A press on a run button while another runs is dropped; a
// rule pack change waits its turn. run marks the operations that produce a
// result: their failure takes the place of the last result.
function guard(fn, run = false) {
  if (run && running) return pending;
  pending = pending.then(() => attempt(fn, run));
  return pending;
}

// engineMs adds up the time of the engine calls a run makes, so that the
// page can report its own share of a run (data-last-run on the body).
let engineMs = 0;
async function call(promise) {
  const t0 = performance.now();
  try { return await promise; } finally { engineMs += performance.now() - t0; }
}

async function attempt(fn, run) {
  running = true;
  const t0 = performance.now();
  engineMs = 0;
  // aria-disabled, not disabled: a disabled button loses the focus, and the
  // keyboard user would be thrown back to the top of the page.
  const buttons = document.querySelectorAll('.buttons button');
  buttons.forEach((b) => b.setAttribute('aria-disabled', 'true'));
  $('output').setAttribute('aria-busy', 'true');
  $('error').hidden = true;
  try {
    const late = await fn();
    if (run) {
      reveal($('summary'));
      // Measured once the result is drawn: after the next frame.
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
      document.body.dataset.lastRun = JSON.stringify({ ms: Math.round(performance.now() - t0), engineMs: Math.round(engineMs) });
    }
    if (late) await late(); // the run is over (aria-busy) when this is in too
  } catch (err) {
    if (run) clearResult();
    $('error').hidden = false;
    $('error').textContent = describe(err);
    if (run) reveal($('error'));
  } finally {
    stopProgress();
    buttons.forEach((b) => b.removeAttribute('aria-disabled'));
    $('output').removeAttribute('aria-busy');
    running = false;
  }
}

// describe is an error as the page shows it: what failed, the engine's code
// and its message.
function describe(err) {
  const what = err.code ? `${err.code}: ${err.reason ?? err.message}` : String(err.message || err);
  return err.where ? `${err.where}: ${what}` : what;
}

// clearResult hides everything the last run showed, so that a failure is
// never read as if the old result were its own.
function clearResult() {
  for (const id of RESULT_BOXES) $(id).hidden = true;
  shown = null;
  $('banners').replaceChildren();
  $('summary').textContent = '';
  $('summary').hidden = true;
  lastOutput = null;
  $('download').disabled = true;
}

// reveal scrolls the result into view when it is off screen (in one column,
// the result is below the buttons that ran it).
function reveal(target) {
  const r = target.getBoundingClientRect();
  if (r.top < 0 || r.bottom > window.innerHeight) $('output-title').scrollIntoView({ block: 'start' });
}

async function applyPack() {
  const upload = $('pack-upload-choice').checked;
  const file = $('pack-file').files[0];
  if (upload && !file) {
    $('pack-status').textContent = 'Choose a rule pack file.';
    return;
  }
  if (upload) {
    try {
      await engine.configure({ rules: [await file.text()] });
      $('pack-status').textContent = `Using ${file.name}.`;
    } catch (err) {
      document.querySelector('input[name=pack][value=default]').checked = true;
      await engine.configure({});
      err.where = `Rule pack ${file.name}`;
      $('pack-status').textContent = `${file.name} was rejected (${describe({ code: err.code, reason: err.reason, message: err.message })}); the default pack is in use.`;
      throw err;
    }
  } else {
    await engine.configure({});
    $('pack-status').textContent = 'The default pack is in use.';
  }
}

// Progress: a bar and the time so far while the Worker runs; over NDJSON
// lines, how many are done.
let ticker = 0;
function startProgress(what, total = 0) {
  const t0 = performance.now();
  const bar = $('progress-bar');
  if (total > 1) { bar.max = total; bar.value = 0; } else bar.removeAttribute('value');
  const tick = () => {
    const done = total > 1 ? `, line ${bar.value} of ${total}` : '';
    $('progress-text').textContent = `${what}… ${((performance.now() - t0) / 1000).toFixed(1)} s${done}`;
  };
  tick();
  clearInterval(ticker);
  ticker = setInterval(tick, 100);
  $('progress').hidden = false;
  return (k) => { bar.value = k; };
}

function stopProgress() {
  clearInterval(ticker);
  $('progress').hidden = true;
}

// inputs splits the source into resources, one JSON value or NDJSON lines
// (more than one line, each a JSON value), keeping the lines parsed for
// the views. One value is parsed while the Worker runs (see each).
function inputs() {
  const text = sourceText().trim();
  if (!text) throw new Error('Nothing to run: paste a resource or pick a sample.');
  const nl = text.indexOf('\n');
  // A first line that is not a JSON value of its own (a pretty-printed
  // Bundle's "{") rules NDJSON out without splitting megabytes.
  if (nl > 0 && tryParse(text.slice(0, nl)) !== null) {
    const parsed = [];
    const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
    if (lines.length > 1 && lines.every((l) => { try { parsed.push(JSON.parse(l)); return true; } catch { return false; } })) {
      return { ndjson: true, items: lines, parsed };
    }
  }
  return { ndjson: false, items: [text], parsed: null }; // malformed: the engine says what is wrong, with its code
}

function tryParse(text) {
  try { return JSON.parse(text); } catch { return null; }
}

function options() {
  return { textMatch: $('opt-text').checked ? 'all' : 'auto', textElementOnly: $('opt-element').checked, bundleHighWaterMark: $('opt-bundle').checked };
}

// each runs one operation over every input, showing progress.
async function each(what, input, fn) {
  const step = startProgress(what, input.items.length);
  const results = [];
  for (const [i, item] of input.items.entries()) {
    const result = fn(item); // posted to the Worker: the page parses meanwhile
    if (!input.parsed) input.parsed = [tryParse(item)];
    try {
      results.push(await result);
    } catch (err) {
      if (input.ndjson) err.where = `NDJSON line ${i + 1}`; // which of many failed
      throw err;
    }
    step(i + 1);
  }
  return results;
}

async function runLabel() {
  const input = inputs();
  const results = await each('Labeling', input, (item) => call(engine.label(item, { options: options() })));
  return show('label', input, results);
}

async function runHWM() {
  const input = inputs();
  const results = await each('Computing the high-water mark', input, (item) => call(engine.hwm(item)));
  return show('hwm', input, results);
}

async function runValidate() {
  const input = inputs();
  const results = await each('Validating', input, (item) => call(engine.validate(item, { options: {} })));
  return show('validate', input, results);
}

async function runRedact() {
  const input = inputs();
  const list = (id) => $(id).value.split(/[\s,]+/).filter(Boolean);
  const context = { clearance: $('clearance').value };
  if ($('pou').value.trim()) context.purposeOfUse = $('pou').value.trim();
  if (list('deny').length) context.deny = list('deny');
  if (list('allow').length) context.allow = list('allow');
  const results = await each('Labeling, then redacting', input, async (item) => {
    const labeled = await call(engine.label(item, { options: options() }));
    const r = await call(engine.redact(labeled.resource, context));
    r.labeledFrom = labeled;
    return r;
  });
  return show('redact', input, results);
}

const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v; else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k instanceof Node ? k : document.createTextNode(String(k)));
  return e;
};

// shown holds the views of the last result that draw on demand: the
// resource list (filtered and paged) and the Changes view (computed when
// opened), so that a large Bundle's result appears at once.
let shown = null;

async function show(op, input, results) {
  const { ndjson, items, parsed: inputsParsed } = input;
  for (const id of RESULT_BOXES) $(id).hidden = true;
  const parse = (r) => (typeof r === 'string' ? JSON.parse(r) : r);
  // The results' resources are JSON text, as the inputs were.
  const outputs = results.map((r, i) => (op === 'validate' ? inputsParsed[i] : parse(r.resource)));
  // The banners' marks are read in the Worker while the page draws, after
  // the tag sets the list waits for.
  let marksOf = null;
  const readMarks = () => Promise.all(results.map((r, i) => (op === 'validate' ? (inputsParsed[i] ? engine.marks(items[i]) : [])
    : r.resource === null ? [] : engine.marks(r.resource))));
  const labeledRoots = results.map((r) => (r.labeledFrom ? parse(r.labeledFrom.resource) : null));
  const line = (i) => (ndjson ? `line ${i + 1}` : '');

  // Tag sets of the codes the reports name.
  const setOf = new Map();
  const learn = (cs) => (cs || []).forEach((c) => c.set && setOf.set(c.system + '|' + c.code, c.set));
  for (const r of results) {
    for (const l of r.report.labeled || []) learn(l.added);
    for (const m of r.report.marks || []) { learn(m.security); learn(m.leftOut); }
    for (const w of r.report.withheld || []) learn(w.labels);
    for (const l of r.labeledFrom?.report.labeled || []) learn(l.added);
    for (const m of r.labeledFrom?.report.marks || []) { learn(m.security); learn(m.leftOut); }
  }

  // One row per resource: where it is, the labels it carries, why, and
  // for a redaction whether it was withheld (then with the labels it had).
  const rows = [];
  if (op !== 'validate') {
    outputs.forEach((out, i) => {
      const rep = results[i].labeledFrom?.report || results[i].report;
      const byLoc = new Map((rep.labeled || []).map((l) => [l.location, l]));
      if (op !== 'redact') {
        for (const [loc, res, at] of resources(out, line(i))) rows.push({ loc, res, entry: byLoc.get(at), root: out });
        return;
      }
      // Redaction keeps the order of what it releases: the released
      // resources pair with the labeled ones that were not withheld.
      const withheld = new Map((results[i].report.withheld || []).map((w) => [w.location, w]));
      const released = [...resources(out, line(i))];
      let k = 0;
      let cut = null; // a withheld Bundle's location: its entries went with it
      for (const [loc, res, at] of resources(labeledRoots[i], line(i))) {
        const w = withheld.get(at) || (cut && at.startsWith(cut + '.') ? { reason: 'inside a withheld resource', labels: [] } : null);
        if (withheld.has(at)) cut = at;
        const next = released[k];
        const mine = !w && next && next[1].resourceType === res.resourceType && next[1].id === res.id ? released[k++] : null;
        rows.push({ loc, res: mine ? mine[1] : res, entry: byLoc.get(at), root: labeledRoots[i], withheld: w });
      }
    });
    const shownSets = rows.flatMap((r) => r.res.meta?.security || []);
    const sets = setsOf(shownSets.filter((c) => !c.set && !setOf.has(c.system + '|' + c.code)));
    marksOf = readMarks();
    learn(await sets);
  }
  marksOf ??= readMarks();
  const filters = {
    labeled: (r) => !r.withheld && (r.res.meta?.security || []).length > 0,
    withheld: (r) => !!r.withheld,
    all: () => true,
  };
  // A long list opens on what carries labels.
  document.querySelector(`input[name=filter][value=${rows.length > PAGE && rows.some(filters.labeled) ? 'labeled' : 'all'}]`).checked = true;
  document.querySelector('input[name=filter][value=withheld]').parentElement.hidden = op !== 'redact';
  const drawRows = () => {
    const f = document.querySelector('input[name=filter]:checked').value;
    const list = rows.filter(filters[f]);
    $('filter-count').textContent = `${list.length} of ${rows.length} resource(s)`;
    const chips = $('chips');
    chips.replaceChildren();
    if (!list.length) chips.append(el('p', { class: 'hint' }, `No resource is ${f}.`));
    pager(chips, chips, list, (r) => resourceChips(r.loc, r.res, setOf, r.entry, r.root, r.withheld), 'resource(s)');
  };
  if (op !== 'validate') {
    drawRows();
    $('chips-box').hidden = false;
  }

  // What words said: each match with its words marked in the text read,
  // and the matches context dropped, greyed, with the reason.
  if (op === 'label' || op === 'redact') {
    const matches = [];
    results.forEach((r, i) => {
      const rep = r.labeledFrom?.report || r.report;
      for (const l of rep.labeled || []) {
        for (const m of [...(l.matches || []), ...(l.inline || [])]) {
          if (m.text !== undefined) matches.push([i, m, m.rule, `confidence ${m.confidence}`, false]);
        }
      }
      for (const d of rep.dropped || []) matches.push([i, d, d.rule, `${d.reason}: "${d.trigger}"`, true]);
    });
    $('words').replaceChildren();
    pager($('words'), $('words'), matches, ([i, m, rule, why, dropped]) => wordsRow(inputsParsed[i], m, rule, why, dropped), 'match(es)');
    $('words-box').hidden = matches.length === 0;
  }

  // The Bundle's high-water mark.
  const marks = results.flatMap((r) => r.report.marks || []);
  if (marks.length) {
    $('hwm').replaceChildren(...marks.map((m) => el('div', { class: 'resource' },
      el('h3', {}, `${m.location} `, el('small', {}, `${m.type}, ${m.entries} entries, confidentiality ${m.confidentiality}`)),
      chipSets(m.security, setOf),
      m.leftOut.length ? table(['left out', 'set', 'why'], m.leftOut.map((l) => [l.code, l.set, l.reason])) : '')));
    $('hwm-box').hidden = false;
  }

  // What redaction withheld, and why.
  if (op === 'redact') {
    const list = [];
    results.forEach((r, i) => {
      for (const w of r.report.withheld) list.push([w.location, w.type || '', w.id || '', w.reason, w.labels.map((l) => l.code).join(' ')]);
      for (const p of r.report.removed || []) list.push([p, '', '', 'element removed', removedBy(labeledRoots[i], p, false)]);
      for (const p of r.report.masked || []) list.push([p, '', '', 'masked (data-absent-reason)', removedBy(labeledRoots[i], p, true)]);
    });
    $('withheld').replaceChildren(list.length ? table(['what', 'type', 'id', 'why', 'labels'], list) : el('p', { class: 'hint' }, 'Nothing was withheld: the recipient sees everything.'));
    $('withheld-box').hidden = false;
  }

  // What the operation changed, member by member: computed when opened.
  let changed = false;
  const changes = () => {
    if (changed || !$('changes-box').open) return;
    changed = true;
    const list = [];
    outputs.forEach((out, i) => diff(inputsParsed[i], out, ndjson ? `line ${i + 1}: ` : '', '', list));
    $('changes').replaceChildren(changesView(list));
  };
  if (op === 'label' || op === 'redact') {
    $('changes-box').open = false;
    $('changes').replaceChildren(el('p', { class: 'hint' }, 'Open this view to compare the input with the output.'));
    $('changes-box').hidden = false;
  }

  // Diagnostics.
  const diags = results.flatMap((r, i) => r.diagnostics.map((d) => ({ ...d, line: i + 1 })));
  if (op === 'validate' || diags.length) {
    $('diagnostics').replaceChildren(diags.length
      ? table(['severity', 'code', 'location', 'message'], diags.map((d) => [d.severity, d.code, (ndjson ? `line ${d.line}: ` : '') + d.location, d.message]), 0)
      : el('p', { class: 'hint' }, 'No findings.'));
    $('diag-box').hidden = false;
  }

  // The output, with the labels the engine added highlighted; only its
  // beginning at first.
  if (op !== 'validate') {
    const added = new Set();
    outputs.forEach((o, i) => collectAdded(inputsParsed[i], o, added));
    drawOutput(outputs, added, ndjson, RENDER_FIRST);
    $('json-box').hidden = false;
  }
  // The download is written when asked for.
  lastOutput = {
    text: () => (op === 'validate' ? JSON.stringify(results, null, 2)
      : ndjson ? outputs.map((o) => JSON.stringify(o)).join('\n') + '\n' : JSON.stringify(outputs[0], null, 2)),
    name: `seclabel-${op}.${ndjson ? 'ndjson' : 'json'}`,
  };
  $('download').disabled = false;
  shown = { redraw: drawRows, changes };

  // Must-display banners, from what is released (or read): drawn once
  // the Worker has read them, after the rest of the result is on screen.
  // The same notice on many entries is shown once, with where it applies:
  // repeated, a Bundle's notices would push the rest of the result far down.
  const banners = async () => {
    const byText = new Map();
    for (const list of await marksOf) {
      for (const m of list) {
        if (!byText.has(m.text)) byText.set(m.text, []);
        byText.get(m.text).push(m.location);
      }
    }
    $('banners').replaceChildren(...[...byText].map(([t, locs]) => banner(t, locs.length > 5 ? `${locs.slice(0, 5).join(', ')} and ${locs.length - 5} more` : locs.join(', '))));
  };
  $('banners').replaceChildren(el('p', { class: 'hint' }, 'Reading what must be displayed…'));

  const n = results.length;
  const labeled = results.reduce((k, r) => k + (r.report.labeled?.length || 0), 0);
  const count = (f) => results.reduce((k, r) => k + f(r.report), 0);
  const summary = {
    label: () => `Labeled ${labeled} resource(s)`,
    hwm: () => 'Computed the high-water mark',
    validate: () => `${count((r) => r.errors)} error(s), ${count((r) => r.warnings)} warning(s)`,
    redact: () => `Released to the recipient; ${count((r) => r.withheld.length)} resource(s) withheld`,
  }[op]();
  $('summary').textContent = `${summary}${n > 1 ? ` over ${n} NDJSON lines` : ''}.`;
  $('summary').hidden = false;
  return banners;
}

// banner shows a notice; a long one (the full 42 CFR Part 2 notice) opens
// on its first sentence, the rest one click away, so that it does not push
// the result out of view.
function banner(text, where) {
  const first = /^.{40,240}?[.!?](\s|$)/s.exec(text);
  if (text.length <= 240 || !first) return el('div', { class: 'banner' }, text, ' ', el('small', {}, where));
  return el('details', { class: 'banner' }, el('summary', {}, first[0].trim(), ' ', el('small', {}, `${where} · the full notice`)),
    text.slice(first[0].length).trim());
}

// pager draws the first PAGE items of list into box, and a button under
// it (in after) that draws the next PAGE; the button keeps the focus.
function pager(box, after, list, draw, noun) {
  const first = list.slice(0, PAGE).map(draw);
  box.append(...first);
  if (list.length <= PAGE) return;
  let drawn = PAGE;
  const label = () => `Show ${Math.min(PAGE, list.length - drawn)} more (${list.length - drawn} ${noun} not shown)`;
  const more = el('button', { type: 'button', class: 'link more' }, label());
  more.addEventListener('click', () => {
    const next = list.slice(drawn, drawn + PAGE).map(draw);
    drawn += next.length;
    if (box === after) more.before(...next); else box.append(...next);
    if (drawn >= list.length) more.remove(); else more.textContent = label();
  });
  after.append(more);
}

// drawOutput renders the outputs up to budget characters; "Show more"
// doubles the budget.
function drawOutput(outputs, added, ndjson, budget) {
  const pre = $('json');
  const frag = document.createDocumentFragment();
  let left = budget;
  outputs.forEach((o, i) => {
    if (left <= 0) return;
    if (i > 0) frag.append('\n');
    left -= render(frag, o, added, ndjson ? null : 0, left);
  });
  pre.replaceChildren(frag);
  $('json-rest').hidden = left > 0;
  $('json-more').onclick = () => drawOutput(outputs, added, ndjson, budget * 2);
}

// resources yields [location shown, resource, report location] for a
// resource and a Bundle's entries; the report's location has no line.
function* resources(res, prefix, at) {
  if (!res || typeof res !== 'object') return;
  at = at || (res.resourceType || '?');
  yield [(prefix ? `${prefix}: ` : '') + at, res, at];
  if (res.resourceType === 'Bundle') {
    for (const [i, e] of (res.entry || []).entries()) {
      if (e && e.resource) yield* resources(e.resource, prefix, `${at}.entry[${i}].resource`);
    }
  }
}

const INLINE = 'extension-inline-sec-label';

// steps follows a report path such as "Bundle.entry[0].resource.note[0]"
// from the root, returning for each element on the way its value and the
// inline label codes it carries (a primitive's are in its "_x" sibling).
// It stops where the path leaves the JSON.
function steps(root, path) {
  const out = [];
  let v = root;
  for (const part of path.split('.').slice(1)) {
    const m = /^([^[]+)((?:\[\d+\])*)$/.exec(part);
    if (!m || v === null || typeof v !== 'object') break;
    let x = v[m[1]];
    let sib = v['_' + m[1]];
    for (const ix of m[2].match(/\d+/g) || []) {
      x = Array.isArray(x) ? x[Number(ix)] : undefined;
      sib = Array.isArray(sib) ? sib[Number(ix)] : undefined;
    }
    if (x === undefined && sib === undefined) break;
    const ext = (x && typeof x === 'object' && !Array.isArray(x) ? x.extension : sib?.extension) || [];
    const codes = Array.isArray(ext) ? ext.filter((e) => typeof e?.url === 'string' && e.url.endsWith(INLINE) && e.valueCoding)
      .map((e) => e.valueCoding.code) : [];
    out.push({ path: path.split('.').slice(0, out.length + 2).join('.'), value: x, codes });
    v = x;
  }
  return out;
}

// removedBy names the inline labels that cut an element of the labeled input:
// its own, else the nearest element above it that has some (labels are
// inherited down the tree). A masked element with none is a reference to a
// resource that was withheld.
function removedBy(labeled, path, masked) {
  if (!labeled) return '';
  const on = steps(labeled, path);
  const last = on[on.length - 1];
  if (last && last.path === path) {
    // An array is removed whole when every item in it is: its items' labels.
    const own = Array.isArray(last.value) ? [...new Set(last.value.flatMap((_, i) => steps(labeled, `${path}[${i}]`).pop()?.codes || []))] : last.codes;
    if (own.length) return `inline ${own.join(' ')}`;
  }
  for (let i = on.length - 2; i >= 0; i--) {
    if (on[i].codes.length) return `inline ${on[i].codes.join(' ')} on ${on[i].path}`;
  }
  return masked ? 'reference to a withheld resource' : 'no inline label here: the resource\'s labels';
}

// why lists what labeled a resource: each match of a rule (its code, or the
// words read) and the inline labels added, on the element they sit on.
function why(entry, root) {
  const lines = [];
  for (const m of entry.matches || []) {
    lines.push(m.text !== undefined ? `${m.rule} · "${m.text}" · ${m.path}` : `${m.rule} · ${m.code} (${m.system}) · ${m.path}`);
  }
  for (const m of entry.inline || []) {
    const on = steps(root, m.path);
    const last = on[on.length - 1];
    const codes = last && last.path === m.path && last.codes.length ? last.codes.join(' ') : (m.code || '');
    lines.push(`${m.rule} · inline ${codes}${m.text !== undefined ? ` ("${m.text}")` : ''} · on ${m.path}`);
  }
  if (!lines.length) return '';
  return el('ul', { class: 'why', 'aria-label': 'why' }, ...lines.map((l) => el('li', {}, l)));
}

const CHANGE_LIMIT = 200;

// diff lists the members the output added, removed or changed against the
// input (an object only one side has is listed member by member, so a new
// meta shows its security). Array items are paired by what they are (a
// coding's system and code, an extension's url), so a label taken out of
// a list is one removal, not a change of every label after it.
function diff(a, b, prefix, path, out) {
  if (out.length > CHANGE_LIMIT) return;
  const obj = (x) => x !== null && typeof x === 'object' && !Array.isArray(x);
  if (path === '') path = (b?.resourceType || a?.resourceType || '?');
  if (obj(a) || obj(b)) {
    if ((a !== undefined && !obj(a)) || (b !== undefined && !obj(b))) {
      out.push({ at: prefix + path, kind: 'changed', a, b });
      return;
    }
    const keys = new Set([...Object.keys(a || {}), ...Object.keys(b || {})]);
    for (const k of keys) diff(a?.[k], b?.[k], prefix, `${path}.${k}`, out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    // Other objects (a note, an entry) pair by place, values by value.
    const key = (x, i) => (obj(x) && typeof x.code === 'string' ? `${x.system}|${x.code}` : obj(x) && typeof x.url === 'string' ? x.url : obj(x) ? `#${i}` : JSON.stringify(x));
    const left = a.map((x, i) => ({ x, i, k: key(x, i), used: false }));
    const unmatched = [];
    b.forEach((y, j) => {
      const k = key(y, j);
      const m = left.find((l) => !l.used && l.k === k && JSON.stringify(l.x) === JSON.stringify(y)) || left.find((l) => !l.used && l.k === k);
      if (m) { m.used = true; diff(m.x, y, prefix, `${path}[${j}]`, out); } else unmatched.push(j);
    });
    // An item with no partner was taken out or put in: a confidentiality
    // raised from N to R is N removed and R added.
    for (const l of left) if (!l.used) out.push({ at: `${prefix}${path}[${l.i}]`, kind: 'removed', a: l.x });
    for (const j of unmatched) out.push({ at: `${prefix}${path}[${j}]`, kind: 'added', b: b[j] });
    return;
  }
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  out.push({ at: prefix + path, kind: a === undefined ? 'added' : b === undefined ? 'removed' : 'changed', a, b });
}

// changesView groups the changes by the resource they are in.
function changesView(changes) {
  if (!changes.length) return el('p', { class: 'hint' }, 'Nothing changed: the output is the input.');
  // A coding reads best as its code and system, whatever else it carries.
  const short = (v) => {
    const s = v && typeof v === 'object' && typeof v.code === 'string' ? `${v.code} (${v.system})` : JSON.stringify(v);
    return s.length > 120 ? s.slice(0, 117) + '…' : s;
  };
  const groups = new Map();
  for (const c of changes.slice(0, CHANGE_LIMIT)) {
    const m = /^(.*?\.entry\[\d+\]\.resource)(?:\.|$)/.exec(c.at);
    const res = m ? m[1] : c.at.split('.')[0];
    if (!groups.has(res)) groups.set(res, []);
    groups.get(res).push(el('li', { class: c.kind }, `${c.kind} ${c.at}`, el('code', {},
      c.kind === 'added' ? ` ${short(c.b)}` : c.kind === 'removed' ? ` ${short(c.a)}` : ` ${short(c.a)} → ${short(c.b)}`)));
  }
  const box = el('div');
  for (const [res, items] of groups) box.append(el('div', { class: 'resource' }, el('h3', {}, res), el('ul', { class: 'changes' }, ...items)));
  if (changes.length > CHANGE_LIMIT) box.append(el('p', { class: 'hint' }, `Only the first ${CHANGE_LIMIT} changes are listed.`));
  return box;
}

// wordsRow shows one match of words: the element's path, its text with the
// words marked (start and end count characters), the rule and why.
function wordsRow(input, m, rule, why, dropped) {
  const text = elementText(input, m.path);
  const chars = Array.from(text ?? '');
  let { start, end } = m;
  if (chars.slice(start, end).join('') !== m.text && text !== null) {
    // markup read here differs from the engine's reading: find the words
    const at = text.indexOf(m.text);
    start = at < 0 ? -1 : Array.from(text.slice(0, at)).length;
    end = start + Array.from(m.text).length;
  }
  let shown;
  if (text === null || start < 0 || end > chars.length) {
    shown = [el('mark', { class: 'words' }, m.text)];
  } else {
    const from = Math.max(0, start - 60);
    const to = Math.min(chars.length, end + 60);
    shown = [(from > 0 ? '…' : '') + chars.slice(from, start).join(''), el('mark', { class: 'words' }, chars.slice(start, end).join('')),
      chars.slice(end, to).join('') + (to < chars.length ? '…' : '')];
  }
  return el('div', { class: 'resource' + (dropped ? ' dropped' : '') },
    el('h3', {}, `${rule} `, el('small', {}, `${m.path} · ${dropped ? 'dropped, ' : ''}${why}`)),
    el('div', { class: 'words-text' }, ...shown));
}

// elementText is the text the engine read at a report path such as
// "Bundle.entry[2].resource.note[0].text": the string there, an
// attachment's data decoded, or a narrative's text content; null when the
// path does not lead to one.
function elementText(root, path) {
  let v = root;
  for (const part of path.split('.').slice(1)) {
    const m = /^([^[]+)((?:\[\d+\])*)$/.exec(part);
    if (!m || v === null || typeof v !== 'object') return null;
    v = v[m[1]];
    for (const ix of m[2].match(/\d+/g) || []) v = Array.isArray(v) ? v[Number(ix)] : undefined;
  }
  if (typeof v !== 'string') return null;
  if (path.endsWith('.data')) {
    try {
      const text = new TextDecoder().decode(Uint8Array.from(atob(v.replace(/\s+/g, '')), (c) => c.charCodeAt(0)));
      return /<[a-z!]/i.test(text) ? markupText(text) : text;
    } catch { return null; }
  }
  return path.endsWith('.text.div') ? markupText(v) : v;
}

// markupText approximates the engine's reading of markup, for display only.
function markupText(html) {
  return new DOMParser().parseFromString(html, 'text/html').body.textContent || '';
}

function resourceChips(loc, res, setOf, entry, root, withheld) {
  const label = res.id ? `${res.resourceType}/${res.id}` : res.resourceType;
  return el('div', { class: 'resource' + (withheld ? ' withheld' : '') }, el('h3', {}, `${label} `, el('small', {}, loc),
    withheld ? el('span', { class: 'tag' }, ` withheld (${withheld.reason}${withheld.labels?.length ? ': ' + withheld.labels.map((l) => l.code).join(' ') : ''})`) : ''),
  chipSets(res.meta?.security || [], setOf), entry ? why(entry, root) : '');
}

// setsOf asks the engine for the tag sets of codings no report named (labels
// the input already had, REDACTED from redaction): the high-water mark of a
// Bundle holding them reports each one, lifted or left out, with its set.
async function setsOf(codings) {
  const seen = new Set();
  const security = [];
  for (const c of codings) {
    const k = c.system + '|' + c.code;
    if (typeof c.system !== 'string' || typeof c.code !== 'string' || seen.has(k)) continue;
    seen.add(k);
    security.push({ system: c.system, code: c.code });
  }
  if (!security.length) return [];
  try {
    const r = await engine.hwm({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Basic', meta: { security } } }] });
    return (r.report.marks || []).flatMap((m) => [...(m.security || []), ...(m.leftOut || [])]);
  } catch {
    return []; // the chips are then filed under "other"
  }
}

function chipSets(codings, setOf) {
  const groups = new Map();
  for (const c of codings) {
    const set = c.set || setOf.get(c.system + '|' + c.code) || (c.system === CONFIDENTIALITY ? 'confidentiality' : 'other');
    if (!groups.has(set)) groups.set(set, []);
    groups.get(set).push(c);
  }
  if (!groups.size) return el('p', { class: 'hint' }, 'no security labels');
  const box = el('div');
  for (const [set, cs] of groups) {
    // Each chip takes the focus and names its set, system and code, so the
    // explanation a mouse gets from the tooltip is there for the keyboard
    // and for screen readers too; on focus it is also shown in the chip.
    const chips = cs.map((c) => {
      const shown = c.display ? `${c.code} · ${c.display}` : c.code;
      const explain = `tag set ${set}, ${c.system}|${c.code}`;
      return el('span', { class: `chip ${set}`, role: 'listitem', tabindex: '0', title: `${c.system}|${c.code}`, 'aria-label': `${shown}: ${explain}` },
        shown, el('span', { class: 'explain', 'aria-hidden': 'true' }, ` — ${explain}`));
    });
    box.append(el('span', { class: 'set', role: 'group', 'aria-label': set }, el('b', { 'aria-hidden': 'true' }, set),
      el('span', { class: 'chip-list', role: 'list' }, ...chips)));
  }
  return box;
}

// table is wrapped in a box that scrolls sideways on its own, so a wide
// table never widens the page; the box takes the focus to scroll by keys.
// A long table draws its rows a page at a time.
function table(head, rows, sevCol = -1) {
  const body = el('tbody');
  const t = el('table', {}, el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h)))), body);
  const box = el('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': head.join(', ') }, t);
  pager(body, box, rows, (r) => el('tr', {}, ...r.map((c, i) => el('td', i === sevCol ? { class: c } : {}, c))), 'row(s)');
  return box;
}

// collectAdded finds, resource by resource, the meta.security codings the
// output has and the input had not.
function collectAdded(input, output, added) {
  if (!output || typeof output !== 'object') return;
  const had = new Set((input?.meta?.security || []).map((c) => c.system + '|' + c.code));
  for (const c of output.meta?.security || []) if (!had.has(c.system + '|' + c.code)) added.add(c);
  if (output.resourceType === 'Bundle') {
    (output.entry || []).forEach((e, i) => collectAdded(input?.entry?.[i]?.resource, e?.resource, added));
  }
}

// inlineCodes are the codes of the inline labels in an element's
// extensions.
function inlineCodes(x) {
  const ext = x && typeof x === 'object' && !Array.isArray(x) ? x.extension : null;
  if (!Array.isArray(ext)) return [];
  return ext.filter((e) => typeof e?.url === 'string' && e.url.endsWith(INLINE) && e.valueCoding).map((e) => e.valueCoding.code);
}

// render pretty-prints v into parent (indent null: one line), wrapping the
// added codings in <mark> and naming, at each element that carries inline
// labels (a primitive's are in its "_x" sibling), their codes; it returns
// the characters written. Text between marks is appended as one string:
// a node per token would take seconds on a large Bundle.
function render(parent, v, added, indent, budget) {
  let written = 0;
  let buf = '';
  const flush = () => { if (buf) { parent.append(buf); written += buf.length; buf = ''; } };
  const text = (s) => { buf += s; };
  const badge = (codes) => {
    flush();
    parent.append(el('span', { class: 'inline-at', title: 'inline security labels on this element' }, `inline ${codes.join(' ')} ▸ `));
  };
  const pad = (n) => (indent === null ? '' : '\n' + '  '.repeat(n));
  const over = () => written + buf.length > budget;
  const walk = (x, depth, sibling) => {
    if (over()) return;
    if (x && typeof x === 'object' && added.has(x)) {
      flush();
      const m = el('mark', { class: 'added' }, JSON.stringify(x, null, indent === null ? undefined : 2).replace(/\n/g, pad(depth)));
      parent.append(m);
      written += m.textContent.length;
      return;
    }
    if (Array.isArray(x)) {
      if (!x.length) return text('[]');
      text('[');
      for (let i = 0; i < x.length && !over(); i++) {
        if (i) text(',');
        text(pad(depth + 1));
        walk(x[i], depth + 1, Array.isArray(sibling) ? sibling[i] : undefined);
      }
      return text(pad(depth) + ']');
    }
    const codes = inlineCodes(x && typeof x === 'object' ? x : sibling);
    if (codes.length) badge(codes);
    if (x && typeof x === 'object') {
      const keys = Object.keys(x);
      if (!keys.length) return text('{}');
      text('{');
      for (let i = 0; i < keys.length && !over(); i++) {
        const k = keys[i];
        if (i) text(',');
        text(pad(depth + 1) + JSON.stringify(k) + (indent === null ? ':' : ': '));
        walk(x[k], depth + 1, k.startsWith('_') ? undefined : x['_' + k]);
      }
      return text(pad(depth) + '}');
    }
    text(JSON.stringify(x));
  };
  walk(v, 0);
  flush();
  return written;
}

function download() {
  if (!lastOutput) return;
  const a = el('a', { href: URL.createObjectURL(new Blob([lastOutput.text()], { type: 'application/json' })), download: lastOutput.name });
  document.body.append(a);
  a.click();
  a.remove();
}

start();
