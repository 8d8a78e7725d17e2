// A Web Worker that holds one engine; the page talks to it with connect()
// from seclabel.js. Loaded without a wasm option, it finds seclabel.wasm
// beside its own script.

import { load, methods as names } from './seclabel.js';

const methods = new Set(names);
let engine;

self.addEventListener('message', async (e) => {
  const { id, method, args } = e.data;
  try {
    let result;
    if (method === 'load') {
      engine = await load(args[0]);
      result = true;
    } else if (engine && methods.has(method)) {
      result = engine[method](...args);
    } else {
      throw Object.assign(new Error(engine ? `no method ${method}` : 'the engine is not loaded'), { code: 'internal' });
    }
    self.postMessage({ id, result });
  } catch (err) {
    self.postMessage({ id, error: { code: err.code || 'internal', message: err.reason ?? err.message } });
  }
});
