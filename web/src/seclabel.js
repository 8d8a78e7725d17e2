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
 * object or as JSON text, return the protocol's result ({resource, report,
 * diagnostics, ...}) and throw SeclabelError on failure. One call runs at a
 * time: the module is single-threaded.
 */
export class Engine {
  constructor(exports, memory) {
    this._ex = exports;
    this._memory = memory;
  }

  /**
   * request sends one protocol request (an object or JSON text) and returns
   * the response as JSON text, errors included: the raw protocol.
   */
  request(req) {
    const bytes = encoder.encode(typeof req === 'string' ? req : JSON.stringify(req));
    const ex = this._ex;
    const ptr = ex.input_buf(bytes.length);
    new Uint8Array(this._memory.buffer, ptr, bytes.length).set(bytes);
    const r = ex.call(bytes.length);
    const outPtr = Number(r >> 32n);
    const len = Number(r & 0xffffffffn) & ~ERROR_BIT;
    // Decoding copies the response out of the module's buffer, which the
    // next call reuses; the buffer is read anew since growth replaces it.
    return decoder.decode(new Uint8Array(this._memory.buffer, outPtr, len));
  }

  _op(op, resource, extra) {
    // The resource travels after the envelope and a NUL byte (which JSON
    // text cannot hold): JSON text as it is, with no escaping into a string.
    const text = typeof resource === 'string' ? resource : JSON.stringify(resource);
    const resp = JSON.parse(this.request(JSON.stringify({ op, ...extra }) + '\0' + text));
    if (resp.error) throw new SeclabelError(resp.error.code, resp.error.message);
    return resp;
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
 * module there (the same options as load) and returns an object with the
 * Engine's methods, each returning a Promise.
 */
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
  const send = (method, args) => new Promise((resolve, reject) => {
    const id = next++;
    waiting.set(id, { resolve, reject });
    worker.postMessage({ id, method, args });
  });
  await send('load', [loadOptions]);
  const remote = {};
  for (const m of ['request', 'label', 'hwm', 'validate', 'redact', 'marks', 'configure']) {
    remote[m] = (...args) => send(m, args);
  }
  return remote;
}
