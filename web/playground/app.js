// The playground page: everything is computed in the browser by the
// engine's WebAssembly module, in a Web Worker so the page stays responsive.

import { connect } from '../src/seclabel.js';

const $ = (id) => document.getElementById(id);
const started = performance.now();
let engine;
let lastOutput = null; // { text, name }

const CONFIDENTIALITY = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
const RENDER_LIMIT = 2_000_000; // characters of output shown; Download has all

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
  $('file').addEventListener('change', async (e) => { if (e.target.files[0]) setSource(await e.target.files[0].text()); });
  $('pack-file').addEventListener('change', () => { $('pack-upload-choice').checked = true; guard(applyPack); });
  for (const r of document.querySelectorAll('input[name=pack]')) r.addEventListener('change', () => guard(applyPack));
  const src = $('source');
  src.addEventListener('dragover', (e) => { e.preventDefault(); src.classList.add('drop'); });
  src.addEventListener('dragleave', () => src.classList.remove('drop'));
  src.addEventListener('drop', async (e) => {
    e.preventDefault();
    src.classList.remove('drop');
    const f = e.dataTransfer.files[0];
    if (f) setSource(await f.text());
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

function setSource(text) {
  $('source').value = text;
}

const RESULT_BOXES = ['chips-box', 'words-box', 'hwm-box', 'withheld-box', 'changes-box', 'diag-box', 'json-box'];
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

async function attempt(fn, run) {
  running = true;
  // aria-disabled, not disabled: a disabled button loses the focus, and the
  // keyboard user would be thrown back to the top of the page.
  const buttons = document.querySelectorAll('.buttons button');
  buttons.forEach((b) => b.setAttribute('aria-disabled', 'true'));
  $('output').setAttribute('aria-busy', 'true');
  $('error').hidden = true;
  try {
    await fn();
    if (run) reveal($('summary'));
  } catch (err) {
    if (run) clearResult();
    $('error').hidden = false;
    $('error').textContent = describe(err);
    if (run) reveal($('error'));
  } finally {
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

// inputs splits the source into resources: one JSON value, or NDJSON lines.
function inputs() {
  const text = $('source').value.trim();
  if (!text) throw new Error('Nothing to run: paste a resource or pick a sample.');
  try {
    JSON.parse(text);
    return { ndjson: false, items: [text] };
  } catch {
    const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
    if (lines.length > 1 && lines.every((l) => { try { JSON.parse(l); return true; } catch { return false; } })) {
      return { ndjson: true, items: lines };
    }
    return { ndjson: false, items: [text] }; // the engine says what is wrong, with its code
  }
}

function options() {
  return { textMatch: $('opt-text').checked ? 'all' : 'auto', bundleHighWaterMark: $('opt-bundle').checked };
}

async function runLabel() {
  const { ndjson, items } = inputs();
  const results = [];
  for (const item of items) results.push(await engine.label(item, { options: options() }));
  await show('label', ndjson, items, results);
}

async function runHWM() {
  const { ndjson, items } = inputs();
  const results = [];
  for (const item of items) results.push(await engine.hwm(item));
  await show('hwm', ndjson, items, results);
}

async function runValidate() {
  const { ndjson, items } = inputs();
  const results = [];
  for (const item of items) results.push(await engine.validate(item, { options: {} }));
  await show('validate', ndjson, items, results);
}

async function runRedact() {
  const { ndjson, items } = inputs();
  const list = (id) => $(id).value.split(/[\s,]+/).filter(Boolean);
  const context = { clearance: $('clearance').value };
  if ($('pou').value.trim()) context.purposeOfUse = $('pou').value.trim();
  if (list('deny').length) context.deny = list('deny');
  if (list('allow').length) context.allow = list('allow');
  const results = [];
  for (const item of items) {
    const labeled = await engine.label(item, { options: options() });
    const r = await engine.redact(labeled.resource, context);
    r.labeledFrom = labeled;
    results.push(r);
  }
  await show('redact', ndjson, items, results);
}

const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v; else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k instanceof Node ? k : document.createTextNode(String(k)));
  return e;
};

async function show(op, ndjson, items, results) {
  for (const id of RESULT_BOXES) $(id).hidden = true;
  const inputsParsed = items.map((t) => { try { return JSON.parse(t); } catch { return null; } });
  // The results' resources are JSON text, as the inputs were.
  const outputs = results.map((r, i) => (op === 'validate' ? inputsParsed[i] : (typeof r.resource === 'string' ? JSON.parse(r.resource) : r.resource)));

  // Must-display banners, from what is released (or read).
  // The same notice on many entries is shown once, with where it applies:
  // repeated, a Bundle's notices would push the rest of the result far down.
  const byText = new Map();
  for (const out of outputs) {
    if (!out) continue;
    for (const m of await engine.marks(out)) {
      if (!byText.has(m.text)) byText.set(m.text, []);
      byText.get(m.text).push(m.location);
    }
  }
  $('banners').replaceChildren(...[...byText].map(([t, locs]) => el('div', { class: 'banner' }, t, ' ', el('small', {}, locs.join(', ')))));

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
  if (op !== 'validate') {
    const shown = [];
    outputs.forEach((out) => { for (const [, res] of resources(out, '')) shown.push(...(res.meta?.security || [])); });
    learn(await setsOf(shown.filter((c) => !c.set && !setOf.has(c.system + '|' + c.code))));
  }

  // Label chips per resource, grouped by tag set.
  if (op !== 'validate') {
    const chips = $('chips');
    chips.replaceChildren();
    outputs.forEach((out, i) => {
      // The label report explains the chips; a redaction's is that of the
      // labeling it ran first.
      const rep = results[i].labeledFrom?.report || results[i].report;
      const byLoc = new Map((rep.labeled || []).map((l) => [l.location, l]));
      const lr = results[i].labeledFrom?.resource;
      const root = lr === undefined ? out : (typeof lr === 'string' ? JSON.parse(lr) : lr); // inline labels redaction may have cut
      for (const [loc, res, at] of resources(out, ndjson ? `line ${i + 1}` : '')) {
        chips.append(resourceChips(loc, res, setOf, byLoc.get(at), root));
      }
    });
    $('chips-box').hidden = chips.childElementCount === 0;
  }

  // What words said: each match with its words marked in the text read,
  // and the matches context dropped, greyed, with the reason.
  if (op === 'label' || op === 'redact') {
    const rows = [];
    results.forEach((r, i) => {
      const rep = r.labeledFrom?.report || r.report;
      const input = inputsParsed[i];
      for (const l of rep.labeled || []) {
        for (const m of [...(l.matches || []), ...(l.inline || [])]) {
          if (m.text !== undefined) rows.push(wordsRow(input, m, m.rule, `confidence ${m.confidence}`, false));
        }
      }
      for (const d of rep.dropped || []) rows.push(wordsRow(input, d, d.rule, `${d.reason}: "${d.trigger}"`, true));
    });
    $('words').replaceChildren(...rows);
    $('words-box').hidden = rows.length === 0;
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
    const rows = [];
    for (const r of results) {
      for (const w of r.report.withheld) rows.push([w.location, w.type || '', w.id || '', w.reason, w.labels.map((l) => l.code).join(' ')]);
      const from = r.labeledFrom && (typeof r.labeledFrom.resource === 'string' ? JSON.parse(r.labeledFrom.resource) : r.labeledFrom.resource);
      for (const p of r.report.removed || []) rows.push([p, '', '', 'element removed', removedBy(from, p, false)]);
      for (const p of r.report.masked || []) rows.push([p, '', '', 'masked (data-absent-reason)', removedBy(from, p, true)]);
    }
    $('withheld').replaceChildren(rows.length ? table(['what', 'type', 'id', 'why', 'labels'], rows) : el('p', { class: 'hint' }, 'Nothing was withheld: the recipient sees everything.'));
    $('withheld-box').hidden = false;
  }

  // What the operation changed, member by member.
  if (op === 'label' || op === 'redact') {
    const changes = [];
    outputs.forEach((out, i) => diff(inputsParsed[i], out, ndjson ? `line ${i + 1}: ` : '', '', changes));
    $('changes').replaceChildren(changesView(changes));
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

  // The output, with the labels the engine added highlighted.
  const texts = outputs.map((o) => (o === null ? 'null' : JSON.stringify(o)));
  const text = ndjson ? texts.join('\n') + '\n' : (outputs[0] === null ? 'null' : JSON.stringify(outputs[0], null, 2));
  if (op !== 'validate') {
    const added = new Set();
    outputs.forEach((o, i) => collectAdded(inputsParsed[i], o, added));
    const pre = $('json');
    pre.replaceChildren();
    let budget = RENDER_LIMIT;
    outputs.forEach((o, i) => {
      if (budget <= 0) return;
      if (i > 0) pre.append('\n');
      budget -= render(pre, o, added, ndjson ? null : 0, budget);
    });
    if (budget <= 0) pre.append(el('p', { class: 'hint' }, '… the rest is in the download.'));
    $('json-box').hidden = false;
  }
  lastOutput = { text: op === 'validate' ? JSON.stringify(results, null, 2) : text, name: `seclabel-${op}.${ndjson ? 'ndjson' : 'json'}` };
  $('download').disabled = false;

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

function resourceChips(loc, res, setOf, entry, root) {
  const label = res.id ? `${res.resourceType}/${res.id}` : res.resourceType;
  return el('div', { class: 'resource' }, el('h3', {}, `${label} `, el('small', {}, loc)),
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
function table(head, rows, sevCol = -1) {
  const t = el('table', {}, el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c, i) => el('td', i === sevCol ? { class: c } : {}, c))))));
  return el('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': head.join(', ') }, t);
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

// render pretty-prints v into parent (indent null: one line), wrapping the
// added codings in <mark>; it returns the characters written.
function render(parent, v, added, indent, budget) {
  let written = 0;
  const text = (s) => { parent.append(s); written += s.length; };
  const pad = (n) => (indent === null ? '' : '\n' + '  '.repeat(n));
  const walk = (x, depth) => {
    if (written > budget) return;
    if (x && typeof x === 'object' && added.has(x)) {
      const m = el('mark', { class: 'added' }, JSON.stringify(x, null, indent === null ? undefined : 2).replace(/\n/g, pad(depth)));
      parent.append(m);
      written += m.textContent.length;
      return;
    }
    if (Array.isArray(x)) {
      if (!x.length) return text('[]');
      text('[');
      x.forEach((y, i) => { if (i) text(','); text(pad(depth + 1)); walk(y, depth + 1); });
      return text(pad(depth) + ']');
    }
    if (x && typeof x === 'object') {
      const keys = Object.keys(x);
      if (!keys.length) return text('{}');
      text('{');
      keys.forEach((k, i) => { if (i) text(','); text(pad(depth + 1) + JSON.stringify(k) + (indent === null ? ':' : ': ')); walk(x[k], depth + 1); });
      return text(pad(depth) + '}');
    }
    text(JSON.stringify(x));
  };
  walk(v, 0);
  return written;
}

function download() {
  if (!lastOutput) return;
  const a = el('a', { href: URL.createObjectURL(new Blob([lastOutput.text], { type: 'application/json' })), download: lastOutput.name });
  document.body.append(a);
  a.click();
  a.remove();
}

start();
