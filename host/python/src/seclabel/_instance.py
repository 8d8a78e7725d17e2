"""One instance of seclabel.wasm (wasm/ABI.md): a wasmtime Store of its
own, serving one call at a time."""

from __future__ import annotations

import ctypes
from typing import Optional, Tuple

import wasmtime

from ._errors import SeclabelError

ABI_VERSION = 1
_ERROR_BIT = 0x80000000
_MAX_REQUEST = 0x7FFFFFFF


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
        self._input_buf = funcs["input_buf"]
        self._call = funcs["call"]
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
        store = self.store
        ptr = self._input_buf(store, n) & 0xFFFFFFFF
        dst = self._base(ptr, n)
        ctypes.memmove(dst, head, len(head))
        if tail is not None:
            ctypes.memset(dst + len(head), 0, 1)
            ctypes.memmove(dst + len(head) + 1, tail, len(tail))
        r = self._call(store, n) & 0xFFFFFFFFFFFFFFFF
        out, length = r >> 32, r & 0x7FFFFFFF
        return ctypes.string_at(self._base(out, length), length), bool(r & _ERROR_BIT)
