// The package's entry for Node 20+ (import and, built as CommonJS, require):
// the browser entry's API, with load() reading the module from disk.
//
//   import { load } from 'seclabel';      // or require('seclabel')
//   const engine = await load();          // seclabel.wasm beside this file
//   await load({ wasm: '/opt/seclabel.wasm' });   // a path or a file: URL

import { Buffer, isAscii } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import { load as start, SeclabelError } from './seclabel.js';

export { ABI_VERSION, SeclabelError, Engine, methods, connect } from './seclabel.js';

/**
 * load compiles and starts the module. wasm is, besides what the browser
 * entry takes (a URL, a Response, bytes, a WebAssembly.Module), a file
 * path or a file: URL; by default seclabel.wasm beside this file. http(s)
 * and other URLs are fetched.
 */
export async function load(opts = {}) {
  const engine = await start({ ...opts, wasm: await locate(opts.wasm) });
  engine._text = text;
  return engine;
}

// text decodes a result's UTF-8. ASCII, which results mostly are, is
// copied into a string as Latin-1, twice as fast as TextDecoder here.
const decoder = new TextDecoder();
function text(bytes) {
  if (!isAscii(bytes)) return decoder.decode(bytes);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
}

// locate turns what names a file into its bytes and leaves the rest to
// the browser entry's load.
async function locate(wasm) {
  let file;
  if (wasm === undefined) file = new URL('./seclabel.wasm', import.meta.url);
  else if (wasm instanceof URL) file = wasm.protocol === 'file:' ? wasm : undefined;
  else if (typeof wasm === 'string') {
    if (/^file:/i.test(wasm)) file = new URL(wasm);
    // A scheme of two letters or more: a URL to fetch. Anything else, a
    // Windows drive letter included, is a path.
    else if (!/^[a-z][a-z0-9+.-]+:/i.test(wasm)) file = wasm;
  }
  if (file === undefined) return wasm;
  try {
    return await readFile(file);
  } catch (err) {
    throw new SeclabelError('unsupported_module', `reading the module: ${err.message}`);
  }
}

/** createWorker is for browsers: Node has no Web Workers. Call load() instead. */
export function createWorker() {
  throw new SeclabelError('unsupported_module', 'createWorker needs Web Workers, which Node does not have: call load() instead');
}
