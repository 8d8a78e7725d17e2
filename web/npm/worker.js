// web/src/wasi.js
var ESUCCESS = 0;
var EBADF = 8;
var ENOSYS = 52;
function wasi(memory, log) {
  const view = () => new DataView(memory().buffer);
  const bytes = (ptr, len) => new Uint8Array(memory().buffer, ptr, len);
  const decoder2 = new TextDecoder();
  let pending = "";
  const zeroPair = (a, b) => {
    const v = view();
    v.setUint32(a, 0, true);
    v.setUint32(b, 0, true);
    return ESUCCESS;
  };
  return {
    args_sizes_get: zeroPair,
    args_get: () => ESUCCESS,
    environ_sizes_get: zeroPair,
    environ_get: () => ESUCCESS,
    clock_time_get(id, _precision, out) {
      const ns = id === 0 ? BigInt(Date.now()) * 1000000n : BigInt(Math.round(performance.now() * 1e6));
      view().setBigUint64(out, ns, true);
      return ESUCCESS;
    },
    random_get(ptr, len) {
      for (let off = 0; off < len; off += 65536) {
        crypto.getRandomValues(bytes(ptr + off, Math.min(65536, len - off)));
      }
      return ESUCCESS;
    },
    fd_write(fd, iovs, count, written) {
      if (fd !== 1 && fd !== 2) return EBADF;
      const v = view();
      let total = 0;
      for (let i = 0; i < count; i++) {
        const ptr = v.getUint32(iovs + 8 * i, true);
        const len = v.getUint32(iovs + 8 * i + 4, true);
        pending += decoder2.decode(bytes(ptr, len), { stream: true });
        total += len;
      }
      let nl;
      while ((nl = pending.indexOf("\n")) >= 0) {
        log(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
      }
      v.setUint32(written, total, true);
      return ESUCCESS;
    },
    fd_fdstat_get(fd, out) {
      if (fd > 2) return EBADF;
      bytes(out, 24).fill(0);
      view().setUint8(out, 2);
      return ESUCCESS;
    },
    fd_fdstat_set_flags: () => ENOSYS,
    fd_prestat_get: () => EBADF,
    // no preopened directories
    fd_prestat_dir_name: () => EBADF,
    fd_close: () => ESUCCESS,
    poll_oneoff(_in, _out, _n, events) {
      view().setUint32(events, 0, true);
      return ESUCCESS;
    },
    sched_yield: () => ESUCCESS,
    proc_exit(code) {
      throw new Error(`seclabel.wasm exited with status ${code}`);
    }
  };
}

// web/src/seclabel.js
var ABI_VERSION = 1;
var ERROR_BIT = 2147483648;
var SeclabelError = class extends Error {
  constructor(code, message) {
    super(`${code}: ${message}`);
    this.name = "SeclabelError";
    this.code = code;
    this.reason = message;
  }
};
async function load({ wasm, rules, options, log } = {}) {
  const module = await compile(wasm === void 0 ? defaultWasm() : wasm);
  let memory;
  const imports = { wasi_snapshot_preview1: wasi(() => memory, log || ((line) => console.error(line))) };
  const instance = await WebAssembly.instantiate(module, imports);
  const ex = instance.exports;
  memory = ex.memory;
  for (const name of ["_initialize", "abi_version", "input_buf", "call"]) {
    if (typeof ex[name] !== "function") {
      throw new SeclabelError("unsupported_module", `the module lacks the export ${name}`);
    }
  }
  ex._initialize();
  const abi = ex.abi_version();
  if (abi !== ABI_VERSION) {
    throw new SeclabelError("unsupported_module", `the module speaks ABI ${abi}, this package ${ABI_VERSION}`);
  }
  const engine2 = new Engine(ex, memory);
  if (rules !== void 0 || options !== void 0) engine2.configure({ rules, options });
  return engine2;
}
var viteCache = /^(.*\/node_modules\/)\.vite\/deps(?:_temp_[^/]*)?\/[^/]*$/;
function packageDir() {
  const m = viteCache.exec(import.meta.url.replace(/[?#].*$/, ""));
  return m ? `${m[1]}seclabel/` : void 0;
}
function defaultWasm() {
  const dir = packageDir();
  return dir ? `${dir}seclabel.wasm` : new URL("./seclabel.wasm", import.meta.url).href;
}
async function compile(wasm) {
  if (wasm instanceof WebAssembly.Module) return wasm;
  if (typeof wasm === "string" || wasm instanceof URL) {
    const url = String(wasm);
    try {
      wasm = await fetch(url);
    } catch (err) {
      throw new SeclabelError("unsupported_module", `fetching the module from ${url}: ${err.message}`);
    }
  }
  if (typeof Response !== "undefined" && wasm instanceof Response) {
    if (!wasm.ok) throw new SeclabelError("unsupported_module", `fetching the module from ${wasm.url || "a Response"}: HTTP ${wasm.status}`);
    if (WebAssembly.compileStreaming && (wasm.headers.get("Content-Type") || "").startsWith("application/wasm")) {
      return WebAssembly.compileStreaming(wasm);
    }
    wasm = await wasm.arrayBuffer();
  }
  if (wasm instanceof ArrayBuffer || ArrayBuffer.isView(wasm)) return WebAssembly.compile(wasm);
  throw new SeclabelError("unsupported_module", "wasm must be a URL, a Response, bytes or a WebAssembly.Module");
}
var encoder = new TextEncoder();
var decoder = new TextDecoder();
function utf8Length(s, i) {
  let n = 0;
  for (const len = s.length; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c < 128) n += 1;
    else if (c < 2048) n += 2;
    else if (c >= 55296 && c < 56320 && i + 1 < len && (s.charCodeAt(i + 1) & 64512) === 56320) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
var writtenAt = 0;
function write(mem, head, tail) {
  const h = encoder.encodeInto(head, mem);
  if (h.read < head.length) return -1;
  if (tail === null) return h.written;
  const off = h.written + 1;
  writtenAt = off;
  if (off > mem.length) return -1;
  mem[h.written] = 0;
  if (typeof tail !== "string") {
    if (off + tail.length > mem.length) return -1;
    mem.set(tail, off);
    return off + tail.length;
  }
  const t = encoder.encodeInto(tail, mem.subarray(off));
  return t.read < tail.length ? -1 : off + t.written;
}
function replaced(bytes) {
  for (let i = bytes.indexOf(239); i >= 0; i = bytes.indexOf(239, i + 1)) {
    if (bytes[i + 1] === 191 && bytes[i + 2] === 189) return true;
  }
  return false;
}
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
  return parts.join("");
}
var Engine = class {
  constructor(exports, memory) {
    this._ex = exports;
    this._memory = memory;
    this._size = 0;
    this._text = (bytes) => decoder.decode(bytes);
    this._replaced = false;
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
    return decoder.decode(this._call(typeof req === "string" ? req : JSON.stringify(req), null));
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
    for (; ; ) {
      const ptr = this._ex.input_buf(size);
      this._size = size;
      const mem = new Uint8Array(this._memory.buffer, ptr, size);
      n = write(mem, head, tail);
      if (n >= 0) {
        if (typeof tail === "string") {
          const bytes = mem.subarray(writtenAt, n);
          this._replaced = bytes.length !== tail.length && replaced(bytes);
        }
        break;
      }
      size = utf8Length(head, 0) + (tail === null ? 0 : 1 + (typeof tail === "string" ? utf8Length(tail, 0) : tail.length));
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
    const tail = resource instanceof Uint8Array || typeof resource === "string" ? resource : JSON.stringify(resource);
    const asEdits = typeof tail === "string" && typeof tail.toWellFormed === "function";
    const out = this._call(JSON.stringify(asEdits ? { op, ...extra, edits: true } : { op, ...extra }), tail === void 0 ? "" : tail);
    const nul = out.indexOf(0);
    const resp = JSON.parse(decoder.decode(nul < 0 ? out : out.subarray(0, nul)));
    if (resp.error) throw new SeclabelError(resp.error.code, resp.error.message);
    if (nul < 0) return resp;
    const rest = out.subarray(nul + 1);
    const { protocol, op: name, edits, ...others } = resp;
    let result;
    if (edits !== void 0) result = splice(this._replaced ? tail.toWellFormed() : tail, edits, this._text(rest));
    else if (rest.length === 4 && rest[0] === 110 && decoder.decode(rest) === "null") result = null;
    else if (resource instanceof Uint8Array) result = rest.slice();
    else result = this._text(rest);
    if (result !== null && typeof resource !== "string" && !(resource instanceof Uint8Array)) result = JSON.parse(result);
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
    return this._op("label", resource, { options, rules });
  }
  /** hwm computes the labels a Bundle, document or message carries. */
  hwm(resource, { options } = {}) {
    return this._op("hwm", resource, { options });
  }
  /** validate checks the security labels; the result's diagnostics list findings. */
  validate(resource, { options } = {}) {
    return this._op("validate", resource, { options });
  }
  /**
   * marks lists what must be displayed with the resource and each of a
   * Bundle's entries, ready for a banner: [{location, kind, text, system,
   * code}], kind "annotation" (extension-display) or "label" (a
   * SecurityLabelMark, PrivacyMark or CUI code).
   */
  marks(resource) {
    return this._op("marks", resource, {}).report.display;
  }
  /**
   * redact cuts a resource down to what one recipient may see: context is
   * the access context ({clearance, purposeOfUse, deny, allow,
   * compartments}).
   */
  redact(resource, context, { options } = {}) {
    return this._op("redact", resource, { context, options });
  }
  /**
   * configure compiles rule packs and default options once for every later
   * call. Each call replaces the whole configuration (rules left out are
   * the embedded US-realm pack again, options left out their defaults); a
   * failure leaves the previous configuration in force.
   */
  configure({ rules, options } = {}) {
    const resp = JSON.parse(this.request({ op: "configure", rules, options }));
    if (resp.error) throw new SeclabelError(resp.error.code, resp.error.message);
  }
};
var methods = ["request", "call", "label", "hwm", "validate", "redact", "marks", "configure"];

// web/src/worker.js
var methods2 = new Set(methods);
var engine;
self.addEventListener("message", async (e) => {
  const { id, method, args } = e.data;
  try {
    let result;
    if (method === "load") {
      engine = await load(args[0]);
      result = true;
    } else if (engine && methods2.has(method)) {
      result = engine[method](...args);
    } else {
      throw Object.assign(new Error(engine ? `no method ${method}` : "the engine is not loaded"), { code: "internal" });
    }
    self.postMessage({ id, result });
  } catch (err) {
    self.postMessage({ id, error: { code: err.code || "internal", message: err.reason ?? err.message } });
  }
});
