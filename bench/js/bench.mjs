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

// measure runs every task of the plan: {tasks: [{id, group, op, inputs:
// [{bytes, resources}]}], budgetMs, minRounds, maxRounds, minBatchMs}. Each
// group of tasks (one input set) gets a fresh engine from newEngine, so the
// memory figure is that set's. Each input is called in batches long enough
// for the clock, in rounds over all inputs until the budget is spent and
// minRounds are done. It returns one result per task: {id, calls, warm,
// bytes, resources, elapsed, samples (ms per call, one per batch), memory
// (the module's linear memory after the task; 0 for the baseline)}.
export async function measure(newEngine, plan, now = () => performance.now()) {
  const results = [];
  let engine = null;
  let group;
  for (const task of plan.tasks) {
    if (engine === null || task.group !== group) {
      engine = await newEngine();
      group = task.group;
    }
    const call = caller(engine, task.op);
    const r = { id: task.id, calls: 0, warm: 0, bytes: 0, resources: 0, elapsed: 0, samples: [], memory: 0 };
    // Warm-up: calls until a batch's time has passed, which sizes the batch;
    // the first call, which may pay once for what later ones reuse (the
    // default rule pack compiles on the first label), is left out of it.
    const args = task.inputs.map((input) => argument(task.op, input.bytes));
    const batch = task.inputs.map((input, i) => {
      sameAsBytes(engine, task.op, args[i]);
      call(args[i]);
      r.warm++;
      const t0 = now();
      let k = 0;
      while (k === 0 || (now() - t0 < plan.minBatchMs && k < 10000)) {
        call(args[i]);
        k++;
      }
      r.warm += k;
      return k;
    });
    const start = now();
    for (let round = 0; round < plan.maxRounds && (round < plan.minRounds || now() - start < plan.budgetMs); round++) {
      task.inputs.forEach((input, i) => {
        const t0 = now();
        for (let k = 0; k < batch[i]; k++) call(args[i]);
        const ms = now() - t0;
        r.samples.push(ms / batch[i]);
        r.elapsed += ms;
        r.calls += batch[i];
        r.bytes += batch[i] * input.bytes.length;
        r.resources += batch[i] * input.resources;
      });
    }
    if (!task.op.startsWith('json')) r.memory = engine.memoryBytes;
    results.push(r);
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
