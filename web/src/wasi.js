// The WASI preview 1 imports a Go reactor needs, written for seclabel.wasm:
// no files, no arguments, no environment; clocks, random bytes and stderr
// only. It runs unchanged in browsers, Web Workers and Node 20+.

const ESUCCESS = 0;
const EBADF = 8;
const ENOSYS = 52;

// wasi creates the import object; memory() returns the instance's memory,
// read anew on every call because growth replaces memory.buffer.
export function wasi(memory, log) {
  const view = () => new DataView(memory().buffer);
  const bytes = (ptr, len) => new Uint8Array(memory().buffer, ptr, len);
  const decoder = new TextDecoder();
  let pending = '';
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
      // 0: realtime; anything else: monotonic. Nanoseconds.
      const ns = id === 0
        ? BigInt(Date.now()) * 1000000n
        : BigInt(Math.round(performance.now() * 1e6));
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
        pending += decoder.decode(bytes(ptr, len), { stream: true });
        total += len;
      }
      // Guest output (panics) goes out a line at a time.
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        log(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
      }
      v.setUint32(written, total, true);
      return ESUCCESS;
    },
    fd_fdstat_get(fd, out) {
      if (fd > 2) return EBADF;
      bytes(out, 24).fill(0);
      view().setUint8(out, 2); // a character device
      return ESUCCESS;
    },
    fd_fdstat_set_flags: () => ENOSYS,
    fd_prestat_get: () => EBADF, // no preopened directories
    fd_prestat_dir_name: () => EBADF,
    fd_close: () => ESUCCESS,
    poll_oneoff(_in, _out, _n, events) {
      // Go polls only with a zero timeout here: nothing is ever ready.
      view().setUint32(events, 0, true);
      return ESUCCESS;
    },
    sched_yield: () => ESUCCESS,
    proc_exit(code) {
      throw new Error(`seclabel.wasm exited with status ${code}`);
    },
  };
}
