"""One instance of seclabel.wasm (wasm/ABI.md): a wasmtime Store of its
own, serving one call at a time."""

from __future__ import annotations

import ctypes
from typing import Optional, Tuple

import wasmtime

from ._errors import SeclabelError

try:
    from wasmtime import _ffi as _wffi

    _UNCHECKED = all(hasattr(_wffi, n) for n in ("wasmtime_func_call_unchecked", "wasmtime_val_raw", "wasm_trap_t"))
except ImportError:  # another wasmtime layout: the public calls only
    _UNCHECKED = False

ABI_VERSION = 1
_ERROR_BIT = 0x80000000
_MAX_REQUEST = 0x7FFFFFFF


class _Export:
    """Calls an export of type (i32) -> i32 or (i32) -> i64.

    wasmtime-py's Func.__call__ reads the function's type and converts each
    value on every call, about 50 us, which a call of a small resource pays
    twice (input_buf, then call) beside a guest time of the same order. The
    types are checked once here, and calls go through wasmtime's unchecked
    C entry point with one reused value cell; when this wasmtime lacks it,
    through Func.__call__.
    """

    __slots__ = ("_store", "_func", "_ctx", "_ref", "_cell", "_i64")

    def __init__(self, store: wasmtime.Store, func: wasmtime.Func, name: str, result: wasmtime.ValType) -> None:
        ty = func.type(store)
        if [str(t) for t in ty.params] != ["i32"] or [str(t) for t in ty.results] != [str(result)]:
            raise SeclabelError("unsupported_module", f"the export {name} has another type than the ABI's")
        self._store, self._func = store, func
        self._i64 = str(result) == "i64"
        self._cell = None
        if _UNCHECKED:
            self._ctx = store._context()
            self._ref = ctypes.byref(func._func)
            self._cell = (_wffi.wasmtime_val_raw * 1)()

    def __call__(self, arg: int) -> int:
        cell = self._cell
        if cell is None:
            return int(self._func(self._store, arg))
        cell[0].i64 = 0
        cell[0].i32 = arg
        trap = ctypes.POINTER(_wffi.wasm_trap_t)()
        err = _wffi.wasmtime_func_call_unchecked(self._ctx, self._ref, cell, 1, ctypes.byref(trap))
        if err:
            raise wasmtime.WasmtimeError._from_ptr(err)
        if trap:
            raise wasmtime.Trap._from_ptr(trap)
        return cell[0].i64 if self._i64 else cell[0].i32


class Instance:
    __slots__ = ("store", "_memory", "_input_buf", "_call", "gen")

    def __init__(self, engine: wasmtime.Engine, module: wasmtime.Module, memory_limit: int) -> None:
        store = wasmtime.Store(engine)
        store.set_limits(memory_size=memory_limit)
        wasi = wasmtime.WasiConfig()
        wasi.inherit_stderr()  # guest panics are written there
        store.set_wasi(wasi)
        linker = wasmtime.Linker(engine)
        linker.define_wasi()
        try:
            inst = linker.instantiate(store, module)
        except Exception as e:
            raise SeclabelError("unsupported_module", f"instantiating the module: {e}") from e
        exports = inst.exports(store)
        funcs = {}
        for name in ("_initialize", "abi_version", "input_buf", "call"):
            f = exports.get(name)
            if not isinstance(f, wasmtime.Func):
                raise SeclabelError("unsupported_module", f"the module lacks the export {name}")
            funcs[name] = f
        memory = exports.get("memory")
        if not isinstance(memory, wasmtime.Memory):
            raise SeclabelError("unsupported_module", "the module lacks the export memory")
        try:
            funcs["_initialize"](store)
            abi = funcs["abi_version"](store)
        except (wasmtime.Trap, wasmtime.WasmtimeError) as e:
            raise SeclabelError("unsupported_module", f"starting the module: {e}") from e
        if abi != ABI_VERSION:
            raise SeclabelError("unsupported_module", f"the module speaks ABI {abi}, this package {ABI_VERSION}")
        self.store = store
        self._memory = memory
        self._input_buf = _Export(store, funcs["input_buf"], "input_buf", wasmtime.ValType.i32())
        self._call = _Export(store, funcs["call"], "call", wasmtime.ValType.i64())
        # gen is the Engine's configuration generation this instance runs with.
        self.gen = 0

    def memory_bytes(self) -> int:
        return self._memory.data_len(self.store)

    def _base(self, ptr: int, n: int) -> int:
        # The address of memory[ptr:ptr+n], checked, read anew each time:
        # growth may move linear memory.
        if ptr + n > self._memory.data_len(self.store):
            raise SeclabelError("internal", "the module answered with a buffer out of its memory")
        return ctypes.addressof(self._memory.data_ptr(self.store).contents) + ptr

    def run(self, head: bytes, tail: Optional[bytes] = None) -> Tuple[bytes, bool]:
        """Runs head (and, after a NUL byte, tail) as one request; returns
        the response's bytes and whether it is an error response.

        The bytes are copied straight into and out of linear memory with
        ctypes: no intermediate buffers, which matter on inputs of MBs.
        """
        n = len(head) + (0 if tail is None else len(tail) + 1)
        if n > _MAX_REQUEST:
            raise SeclabelError("too_large", f"the request is {n} bytes; the module takes at most {_MAX_REQUEST}")
        ptr = self._input_buf(n) & 0xFFFFFFFF
        dst = self._base(ptr, n)
        ctypes.memmove(dst, head, len(head))
        if tail is not None:
            ctypes.memset(dst + len(head), 0, 1)
            ctypes.memmove(dst + len(head) + 1, tail, len(tail))
        r = self._call(n) & 0xFFFFFFFFFFFFFFFF
        out, length = r >> 32, r & 0x7FFFFFFF
        return ctypes.string_at(self._base(out, length), length), bool(r & _ERROR_BIT)
