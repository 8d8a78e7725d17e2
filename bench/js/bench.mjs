// The JavaScript half of the benchmark harness (bench/harness): the same
// plan as its Go measure, run in Node (node.mjs) and in headless Chromium,
// through the package in web/dist. Inputs are UTF-8 bytes and results come
// back as bytes, which is how an application holding a fetched or read
// bundle calls the engine; label is also measured with JSON text in and
// out and with objects in and out, which is what most apps hold, beside
// the same baseline on text.

// The recipient of every redaction, as in bench/harness/measure.go.
const redactContext = { clearance: 'N', deny: ['SUD', 'HIV'] };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function caller(engine, op) {
  switch (op) {
    case 'label': return (b) => engine.label(b);
    case 'hwm': return (b) => engine.hwm(b);
    case 'redact': return (b) => engine.redact(b, redactContext);
    case 'validate': return (b) => engine.validate(b);
    // The baseline: what reading and writing the same JSON costs in
    // JavaScript, bytes in and bytes out.
    case 'json': return (b) => encoder.encode(JSON.stringify(JSON.parse(decoder.decode(b))));
    case 'json-text': return (s) => JSON.stringify(JSON.parse(s));
    case 'label-text':
    case 'label-object': return (r) => engine.label(r);
    default: throw new Error(`unknown op ${op}`);
  }
}

// argument is what a task's calls take for an input's bytes: the bytes,
// their text or the object they hold, made once before the clock runs.
function argument(op, bytes) {
  if (op === 'json-text' || op === 'label-text') return decoder.decode(bytes);
  if (op === 'label-object') return JSON.parse(decoder.decode(bytes));
  return bytes;
}

// sameAsBytes throws unless labeling the input as text or as an object
// gives, as text, what labeling the bytes of that text (for an object,
// JSON.stringify's) gives: the forms are conveniences, not other answers.
function sameAsBytes(engine, op, arg) {
  if (op !== 'label-text' && op !== 'label-object') return;
  const text = op === 'label-text' ? arg : JSON.stringify(arg);
  const want = decoder.decode(engine.label(encoder.encode(text)).resource);
  const got = engine.label(arg).resource;
  if ((op === 'label-text' ? got : JSON.stringify(got)) !== want) {
    throw new Error(`${op}: the result differs from the bytes path's`);
  }
}

// warm prepares one task's row: its arguments, made once, and the size of
// each input's batch, from calls until a batch's time has passed; the first
// call, which may pay once for what later ones reuse (the default rule pack
// compiles on the first label), is left out of it.
function warm(engine, task, plan, now) {
  const call = caller(engine, task.op);
  const r = { id: task.id, calls: 0, warm: 0, bytes: 0, resources: 0, elapsed: 0, samples: [], memory: 0 };
  const args = task.inputs.map((input) => argument(task.op, input.bytes));
  const batch = args.map((arg) => {
    sameAsBytes(engine, task.op, arg);
    call(arg);
    r.warm++;
    const t0 = now();
    let k = 0;
    while (k === 0 || (now() - t0 < plan.minBatchMs && k < 10000)) {
      call(arg);
      k++;
    }
    r.warm += k;
    return k;
  });
  return { task, call, r, args, batch };
}

// batchOf calls input i of a row in its batch.
function batchOf({ task, call, r, args, batch }, i, now) {
  const input = task.inputs[i];
  const t0 = now();
  for (let k = 0; k < batch[i]; k++) call(args[i]);
  const ms = now() - t0;
  r.samples.push(ms / batch[i]);
  r.elapsed += ms;
  r.calls += batch[i];
  r.bytes += batch[i] * input.bytes.length;
  r.resources += batch[i] * input.resources;
}

// measure runs every task of the plan: {tasks: [{id, group, op, inputs:
// [{bytes, resources}]}], budgetMs, minRounds, maxRounds, minBatchMs}. Each
// group of tasks (one input set) gets a fresh engine from newEngine, so the
// memory figure is that set's. Each input is called in batches long enough
// for the clock. A set's rows are warmed up, then measured together, in
// rounds over the inputs where each input goes through every row's batch in
// turn, until every row has run for the budget and minRounds are done: a
// slow spell of the shared machine then falls on all of them alike, and
// the ratios between them hold. It returns
// one result per task: {id, calls, warm, bytes, resources, elapsed,
// samples (ms per call, one per batch), memory (the module's linear memory
// after the set; 0 for the baselines)}.
export async function measure(newEngine, plan, now = () => performance.now()) {
  const results = [];
  for (let first = 0; first < plan.tasks.length;) {
    const group = plan.tasks[first].group;
    let end = first;
    while (end < plan.tasks.length && plan.tasks[end].group === group) end++;
    const engine = await newEngine();
    const rows = plan.tasks.slice(first, end).map((task) => warm(engine, task, plan, now));
    for (let n = 0; n < plan.maxRounds && (n < plan.minRounds || rows.some((row) => row.r.elapsed < plan.budgetMs)); n++) {
      for (let i = 0; i < rows[0].task.inputs.length; i++) {
        for (const row of rows) batchOf(row, i, now);
      }
    }
    for (const { task, r } of rows) {
      if (!task.op.startsWith('json')) r.memory = engine.memoryBytes;
      results.push(r);
    }
    first = end;
  }
  return results;
}

// run loads the inputs of a manifest ({tasks: [{id, group, op, inputs:
// [{path, resources}]}], ...plan}) with read(path) -> Uint8Array and
// measures them.
export async function run(newEngine, manifest, read) {
  const cache = new Map();
  const tasks = [];
  for (const t of manifest.tasks) {
    const inputs = [];
    for (const input of t.inputs) {
      if (!cache.has(input.path)) cache.set(input.path, await read(input.path));
      inputs.push({ bytes: cache.get(input.path), resources: input.resources });
    }
    tasks.push({ ...t, inputs });
  }
  return measure(newEngine, { ...manifest, tasks });
}
