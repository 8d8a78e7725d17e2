// seclabel for JavaScript: the engine's WebAssembly module (seclabel.wasm)
// behind a small API, in browsers and Node 20+.
//
//   import { load } from './seclabel.js';
//   const engine = await load({ wasm: '/seclabel.wasm' });
//   const { resource, report } = engine.label(bundle);
//
// Every method runs synchronously in the module; a Web Worker (worker.js)
// keeps big bundles off a page's main thread. The protocol is the one of
// engine/PROTOCOL.md; the ABI the one of wasm/ABI.md.

import { wasi } from './wasi.js';

/** The module ABI this package speaks (wasm/ABI.md). */
export const ABI_VERSION = 1;

const ERROR_BIT = 0x80000000;

/**
 * The error every failure throws. code is the protocol's stable error code
 * ("invalid_json", "not_fhir", ...), or "unsupported_module" when the
 * module cannot be used.
 */
export class SeclabelError extends Error {
  constructor(code, message) {
    super(`${code}: ${message}`);
    this.name = 'SeclabelError';
    this.code = code;
    this.reason = message;
  }
}

/**
 * load compiles and starts the module. wasm is a URL (string or URL), a
 * fetch Response, the module's bytes (ArrayBuffer or typed array) or a
 * compiled WebAssembly.Module. rules and options, when given, configure the
 * engine once (see Engine.configure).
 */
export async function load({ wasm, rules, options, log } = {}) {
  const module = await compile(wasm);
  let memory;
  const imports = { wasi_snapshot_preview1: wasi(() => memory, log || ((line) => console.error(line))) };
  const instance = await WebAssembly.instantiate(module, imports);
  const ex = instance.exports;
  memory = ex.memory;
  for (const name of ['_initialize', 'abi_version', 'input_buf', 'call']) {
    if (typeof ex[name] !== 'function') {
      throw new SeclabelError('unsupported_module', `the module lacks the export ${name}`);
    }
  }
  ex._initialize();
  const abi = ex.abi_version();
  if (abi !== ABI_VERSION) {
    throw new SeclabelError('unsupported_module', `the module speaks ABI ${abi}, this package ${ABI_VERSION}`);
  }
  const engine = new Engine(ex, memory);
  if (rules !== undefined || options !== undefined) engine.configure({ rules, options });
  return engine;
}

async function compile(wasm) {
  if (wasm instanceof WebAssembly.Module) return wasm;
  if (typeof wasm === 'string' || wasm instanceof URL) wasm = await fetch(wasm);
  if (typeof Response !== 'undefined' && wasm instanceof Response) {
    if (!wasm.ok) throw new SeclabelError('unsupported_module', `fetching the module: HTTP ${wasm.status}`);
    // Streaming compilation needs the application/wasm type; fall back
    // to the bytes when a server sends another.
    if (WebAssembly.compileStreaming && (wasm.headers.get('Content-Type') || '').startsWith('application/wasm')) {
      return WebAssembly.compileStreaming(wasm);
    }
    wasm = await wasm.arrayBuffer();
  }
  if (wasm instanceof ArrayBuffer || ArrayBuffer.isView(wasm)) return WebAssembly.compile(wasm);
  throw new SeclabelError('unsupported_module', 'wasm must be a URL, a Response, bytes or a WebAssembly.Module');
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Engine is one instance of the module. Its methods take a resource as an
 * object, as JSON text or as UTF-8 bytes, return the protocol's result
 * ({resource, report, diagnostics, ...}, the resource in the form given) and
 * throw SeclabelError on failure. One call runs at a time: the module is
 * single-threaded.
 */
export class Engine {
  constructor(exports, memory) {
    this._ex = exports;
    this._memory = memory;
  }

  /**
   * memoryBytes is the size of the module's linear memory. It never
   * shrinks, so it is the most this instance has needed so far.
   */
  get memoryBytes() {
    return this._memory.buffer.byteLength;
  }

  /**
   * request sends one protocol request (an object or JSON text) and returns
   * the response as JSON text, errors included: the raw protocol.
   */
  request(req) {
    const bytes = encoder.encode(typeof req === 'string' ? req : JSON.stringify(req));
    return decoder.decode(this._call(bytes, null));
  }

  // _call writes head, then (when given) a NUL byte and tail, into the
  // module's input buffer, and returns a view of the response in its memory,
  // valid until the next call. Memory views are made anew: growth replaces
  // memory.buffer.
  _call(head, tail) {
    const n = head.length + (tail ? tail.length + 1 : 0);
    const ptr = this._ex.input_buf(n);
    const mem = new Uint8Array(this._memory.buffer, ptr, n);
    mem.set(head);
    if (tail) {
      mem[head.length] = 0;
      mem.set(tail, head.length + 1);
    }
    const r = this._ex.call(n);
    const out = Number(r >> 32n);
    const len = Number(r & 0xffffffffn) & ~ERROR_BIT;
    return new Uint8Array(this._memory.buffer, out, len);
  }

  // _op runs an operation. The resource travels after the envelope and a NUL
  // byte (which JSON text cannot hold), and so does the resulting resource:
  // neither is escaped into a JSON string. The result's resource has the
  // form the caller gave: an object, JSON text, or UTF-8 bytes.
  _op(op, resource, extra) {
    const head = encoder.encode(JSON.stringify({ op, ...extra }));
    const bytes = resource instanceof Uint8Array ? resource
      : encoder.encode(typeof resource === 'string' ? resource : JSON.stringify(resource));
    const out = this._call(head, bytes);
    const nul = out.indexOf(0);
    const resp = JSON.parse(decoder.decode(nul < 0 ? out : out.subarray(0, nul)));
    if (resp.error) throw new SeclabelError(resp.error.code, resp.error.message);
    if (nul < 0) return resp;
    const tail = out.subarray(nul + 1);
    let result;
    if (tail.length === 4 && decoder.decode(tail) === 'null') result = null; // withheld whole
    else if (resource instanceof Uint8Array) result = tail.slice();
    else if (typeof resource === 'string') result = decoder.decode(tail);
    else result = JSON.parse(decoder.decode(tail));
    const { protocol, op: name, ...rest } = resp;
    return { protocol, op: name, resource: result, ...rest };
  }

  /**
   * call runs any operation by its name (engine/PROTOCOL.md): the methods
   * below are the same calls. context is redact's access context.
   */
  call(op, resource, { context, options, rules } = {}) {
    return this._op(op, resource, { context, options, rules });
  }

  /** label finds sensitive content and adds security labels. */
  label(resource, { options, rules } = {}) {
    return this._op('label', resource, { options, rules });
  }

  /** hwm computes the labels a Bundle, document or message carries. */
  hwm(resource, { options } = {}) {
    return this._op('hwm', resource, { options });
  }

  /** validate checks the security labels; the result's diagnostics list findings. */
  validate(resource, { options } = {}) {
    return this._op('validate', resource, { options });
  }

  /**
   * marks lists what must be displayed with the resource and each of a
   * Bundle's entries, ready for a banner: [{location, kind, text, system,
   * code}], kind "annotation" (extension-display) or "label" (a
   * SecurityLabelMark, PrivacyMark or CUI code).
   */
  marks(resource) {
    return this._op('marks', resource, {}).report.display;
  }

  /**
   * redact cuts a resource down to what one recipient may see: context is
   * the access context ({clearance, purposeOfUse, deny, allow,
   * compartments}).
   */
  redact(resource, context, { options } = {}) {
    return this._op('redact', resource, { context, options });
  }

  /**
   * configure compiles rule packs and default options once for every later
   * call; a failure leaves the previous configuration in force.
   */
  configure({ rules, options } = {}) {
    const resp = JSON.parse(this.request({ op: 'configure', rules, options }));
    if (resp.error) throw new SeclabelError(resp.error.code, resp.error.message);
  }
}

/**
 * connect talks to an engine loaded in a Web Worker started from worker.js,
 * so that big bundles are labeled off the page's main thread. It loads the
 * module there (the options of load, less log: they must survive
 * postMessage) and returns an object with the Engine's methods, each
 * returning a Promise. A worker that fails rejects every pending call.
 */
/** methods are what connect offers and a worker answers. */
export const methods = ['request', 'call', 'label', 'hwm', 'validate', 'redact', 'marks', 'configure'];

export async function connect(worker, loadOptions) {
  let next = 0;
  const waiting = new Map();
  worker.addEventListener('message', (e) => {
    const { id, result, error } = e.data;
    const w = waiting.get(id);
    waiting.delete(id);
    if (error) w.reject(new SeclabelError(error.code, error.message));
    else w.resolve(result);
  });
  worker.addEventListener('error', (e) => {
    for (const w of waiting.values()) w.reject(new SeclabelError('internal', `the worker failed: ${e.message || 'unknown error'}`));
    waiting.clear();
  });
  const send = (method, args) => new Promise((resolve, reject) => {
    const id = next++;
    waiting.set(id, { resolve, reject });
    worker.postMessage({ id, method, args });
  });
  await send('load', [loadOptions]);
  const remote = {};
  for (const m of methods) {
    remote[m] = (...args) => send(m, args);
  }
  return remote;
}
