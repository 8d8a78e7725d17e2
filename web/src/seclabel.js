// seclabel for JavaScript: the engine's WebAssembly module (seclabel.wasm)
// behind a small API, in browsers and Node 20+.
//
//   import { load, connect } from 'seclabel';
//   const engine = await load();              // seclabel.wasm beside this file
//   const { resource, report } = engine.label(bundle);
//   const remote = await connect();           // the same engine in a Web Worker
//
// Every method runs synchronously in the module; a Web Worker (worker.js)
// keeps big bundles off a page's main thread. The protocol is the one of
// engine/PROTOCOL.md; the ABI the one of wasm/ABI.md. In Node the package's
// node entry (node.js) reads the module from disk instead.

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
 * compiled WebAssembly.Module; by default seclabel.wasm beside this file.
 * rules and options, when given, configure the engine once (see
 * Engine.configure).
 */
export async function load({ wasm, rules, options, log } = {}) {
  const module = await compile(wasm === undefined ? defaultWasm() : wasm);
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

// viteCache matches the URL of a module that Vite's dev server runs from
// its dependency cache: Vite 7 bundles a dependency into
// node_modules/.vite/deps/ and leaves its other files (this package's
// worker and module) where they were, served from node_modules/seclabel/.
const viteCache = /^(.*\/node_modules\/)\.vite\/deps(?:_temp_[^/]*)?\/[^/]*$/;

// packageDir is the URL of the folder the package was installed in, when
// this code runs from a bundler's cache away from it; otherwise undefined.
function packageDir() {
  const m = viteCache.exec(import.meta.url.replace(/[?#].*$/, ''));
  return m ? `${m[1]}seclabel/` : undefined;
}

// defaultWasm is where load() finds the module: beside this file. The
// new URL(..., import.meta.url) form is the one bundlers (Vite, webpack,
// Parcel) recognise: they copy the file into the build and rewrite the URL.
function defaultWasm() {
  const dir = packageDir();
  return dir ? `${dir}seclabel.wasm` : new URL('./seclabel.wasm', import.meta.url).href;
}

async function compile(wasm) {
  if (wasm instanceof WebAssembly.Module) return wasm;
  if (typeof wasm === 'string' || wasm instanceof URL) {
    const url = String(wasm);
    try {
      wasm = await fetch(url);
    } catch (err) {
      throw new SeclabelError('unsupported_module', `fetching the module from ${url}: ${err.message}`);
    }
  }
  if (typeof Response !== 'undefined' && wasm instanceof Response) {
    if (!wasm.ok) throw new SeclabelError('unsupported_module', `fetching the module from ${wasm.url || 'a Response'}: HTTP ${wasm.status}`);
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

// utf8Length is the length in UTF-8 of s[i:]. Lone surrogates count 3
// bytes: TextEncoder writes them as U+FFFD.
function utf8Length(s, i) {
  let n = 0;
  for (const len = s.length; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < len && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

// writtenAt is where write put its last tail.
let writtenAt = 0;

// write puts head (text), then when tail is not null a NUL byte and tail
// (text or bytes) into mem, and returns the number of bytes written, or -1
// when they do not fit.
function write(mem, head, tail) {
  const h = encoder.encodeInto(head, mem);
  if (h.read < head.length) return -1;
  if (tail === null) return h.written;
  const off = h.written + 1;
  writtenAt = off;
  if (off > mem.length) return -1;
  mem[h.written] = 0;
  if (typeof tail !== 'string') {
    if (off + tail.length > mem.length) return -1;
    mem.set(tail, off);
    return off + tail.length;
  }
  const t = encoder.encodeInto(tail, mem.subarray(off));
  return t.read < tail.length ? -1 : off + t.written;
}

// replaced reports whether UTF-8 bytes hold U+FFFD (EF BF BD), which
// TextEncoder writes for a lone surrogate. It is looked for only in text
// that is not ASCII, where the byte EF is rare (it leads U+F000 to
// U+FFFF), and found by indexOf, which is far faster than isWellFormed.
function replaced(bytes) {
  for (let i = bytes.indexOf(0xef); i >= 0; i = bytes.indexOf(0xef, i + 1)) {
    if (bytes[i + 1] === 0xbf && bytes[i + 2] === 0xbd) return true;
  }
  return false;
}

// splice applies a response's edits to the text sent: [start, end,
// length] replaces text[start:end] with the next length characters of
// texts (UTF-16 indexes, in order).
function splice(text, edits, texts) {
  const parts = [];
  let pos = 0;
  let at = 0;
  for (const [start, end, length] of edits) {
    parts.push(text.slice(pos, start), texts.slice(at, at + length));
    at += length;
    pos = end;
  }
  parts.push(text.slice(pos));
  return parts.join('');
}

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
    this._size = 0; // the most asked of input_buf: the module's buffer is at least that big
    this._text = (bytes) => decoder.decode(bytes); // UTF-8 to a string; Node's entry has a faster one
    this._replaced = false; // the last text sent held U+FFFD (_call)
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
    return decoder.decode(this._call(typeof req === 'string' ? req : JSON.stringify(req), null));
  }

  // _call writes head (text), then when tail is not null a NUL byte and
  // tail (text or bytes), into the module's input buffer, and returns a view
  // of the response in its memory, valid until the next call. Text is
  // encoded straight into the module's memory, in one pass when it fits:
  // the buffer asked for is the largest asked for so far (the module keeps
  // it, so that costs nothing), and at least the text's length, its size in
  // UTF-8 when it is ASCII, which JSON mostly is. When the text does not
  // fit, its UTF-8 length is counted and it is written again. Memory views
  // are made anew: growth replaces memory.buffer.
  _call(head, tail) {
    let size = Math.max(this._size, head.length + (tail === null ? 0 : tail.length + 1));
    let n;
    for (;;) {
      const ptr = this._ex.input_buf(size);
      this._size = size;
      const mem = new Uint8Array(this._memory.buffer, ptr, size);
      n = write(mem, head, tail);
      if (n >= 0) {
        // Text sent as UTF-8 that holds U+FFFD may have had lone
        // surrogates, written as U+FFFD: edits then apply to the text
        // with them replaced so (_op).
        if (typeof tail === 'string') {
          const bytes = mem.subarray(writtenAt, n);
          this._replaced = bytes.length !== tail.length && replaced(bytes);
        }
        break;
      }
      size = utf8Length(head, 0) + (tail === null ? 0 : 1 + (typeof tail === 'string' ? utf8Length(tail, 0) : tail.length));
    }
    const r = this._ex.call(n);
    const out = Number(r >> 32n);
    const len = Number(r & 0xffffffffn) & ~ERROR_BIT;
    return new Uint8Array(this._memory.buffer, out, len);
  }

  // _op runs an operation. The resource travels after the envelope and a NUL
  // byte (which JSON text cannot hold), and so does the resulting resource:
  // neither is escaped into a JSON string. The result's resource has the
  // form the caller gave: an object, JSON text, or UTF-8 bytes; text is
  // decoded straight from the module's memory.
  //
  // A result for text (or an object, through its JSON text) comes back as
  // edits of the text sent, which are spliced into it: output is mostly
  // input, and decoding only the new fragments is far cheaper than
  // decoding all of it. Text that is not well-formed UTF-16 (a lone
  // surrogate) travels as U+FFFD, and the edits apply to it with its lone
  // surrogates so replaced (toWellFormed); engines without toWellFormed
  // get the result whole.
  _op(op, resource, extra) {
    const tail = resource instanceof Uint8Array || typeof resource === 'string' ? resource : JSON.stringify(resource);
    const asEdits = typeof tail === 'string' && typeof tail.toWellFormed === 'function';
    const out = this._call(JSON.stringify(asEdits ? { op, ...extra, edits: true } : { op, ...extra }), tail === undefined ? '' : tail);
    const nul = out.indexOf(0);
    const resp = JSON.parse(decoder.decode(nul < 0 ? out : out.subarray(0, nul)));
    if (resp.error) throw new SeclabelError(resp.error.code, resp.error.message);
    if (nul < 0) return resp;
    const rest = out.subarray(nul + 1);
    const { protocol, op: name, edits, ...others } = resp;
    let result;
    if (edits !== undefined) result = splice(this._replaced ? tail.toWellFormed() : tail, edits, this._text(rest));
    else if (rest.length === 4 && rest[0] === 0x6e && decoder.decode(rest) === 'null') result = null; // withheld whole
    else if (resource instanceof Uint8Array) result = rest.slice();
    else result = this._text(rest);
    if (result !== null && typeof resource !== 'string' && !(resource instanceof Uint8Array)) result = JSON.parse(result);
    return { protocol, op: name, resource: result, ...others };
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
   * call. Each call replaces the whole configuration (rules left out are
   * the embedded US-realm pack again, options left out their defaults); a
   * failure leaves the previous configuration in force.
   */
  configure({ rules, options } = {}) {
    const resp = JSON.parse(this.request({ op: 'configure', rules, options }));
    if (resp.error) throw new SeclabelError(resp.error.code, resp.error.message);
  }
}

/** methods are what connect offers and a worker answers. */
export const methods = ['request', 'call', 'label', 'hwm', 'validate', 'redact', 'marks', 'configure'];

/**
 * createWorker starts a Web Worker on this package's worker script
 * (worker.js, beside this file), ready for connect.
 */
export function createWorker() {
  const dir = packageDir();
  if (dir) return new Worker(`${dir}worker.js`, { type: 'module' });
  // webpack makes import.meta.url the file: URL the code was built from.
  const here = new URL(import.meta.url);
  if (typeof location !== 'undefined' && /^https?:$/.test(here.protocol) && here.origin !== location.origin) {
    // A worker's script must have the page's origin: when the package is
    // served from elsewhere (a CDN), a same-origin script imports it. (Not
    // written new URL('./worker.js', import.meta.url): bundlers would copy
    // the worker once more, as a file.)
    const src = `import ${JSON.stringify(new URL('worker.js', here).href)};`;
    return new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })), { type: 'module' });
  }
  // This form is the one bundlers recognise and build the worker from.
  return new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
}

/**
 * connect talks to an engine loaded in a Web Worker, so that big bundles are
 * labeled off the page's main thread: worker is one started from worker.js,
 * by default createWorker(). It loads the module there, with the options of
 * load (log aside: functions cannot be posted; without wasm the worker
 * finds seclabel.wasm beside its script), and returns an object with the
 * Engine's methods, each returning a Promise, and the worker. A worker that
 * fails rejects every pending call.
 */
export async function connect(worker, loadOptions) {
  if (worker !== undefined && typeof worker.postMessage !== 'function') {
    loadOptions = worker;
    worker = undefined;
  }
  worker ??= createWorker();
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
  await send('load', [await postable(loadOptions)]);
  const remote = { worker };
  for (const m of methods) {
    remote[m] = (...args) => send(m, args);
  }
  return remote;
}

// postable returns load options that survive postMessage: a URL becomes an
// absolute string (a relative one would resolve against the worker's
// script, not the page), a Response its bytes; log is left out.
async function postable(opts) {
  if (opts === undefined) return undefined;
  const { log, ...rest } = opts;
  let { wasm } = rest;
  if (wasm instanceof URL) wasm = wasm.href;
  else if (typeof wasm === 'string' && typeof location !== 'undefined') wasm = new URL(wasm, location.href).href;
  else if (typeof Response !== 'undefined' && wasm instanceof Response) {
    if (!wasm.ok) throw new SeclabelError('unsupported_module', `fetching the module from ${wasm.url || 'a Response'}: HTTP ${wasm.status}`);
    wasm = await wasm.arrayBuffer();
  }
  if (wasm !== undefined) rest.wasm = wasm;
  return rest;
}
