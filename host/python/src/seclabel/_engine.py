"""The Engine: the protocol's operations over a pool of module instances."""

from __future__ import annotations

import json
import os
import queue
import threading
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union, overload

import wasmtime

from ._errors import SeclabelError
from ._instance import Instance
from ._module import ModuleSource, compiled

Json = Any
"""A JSON value as json.loads returns it."""

Resource = Union[Dict[str, Any], str, bytes, bytearray, memoryview]
"""A FHIR resource or Bundle: a dict, its JSON text, or its UTF-8 bytes."""

Result = Dict[str, Any]
"""A protocol response: protocol, op, resource (in the form the resource was
given, None when redaction withholds it all), report, diagnostics, and
audit or outcome when asked for (engine/PROTOCOL.md)."""

_CONFIGURED = b'{"protocol":1,"op":"configure"}'


def _dumps(value: Any, what: str, code: str) -> bytes:
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError, UnicodeEncodeError) as e:
        raise SeclabelError(code, f"{what} is not JSON: {e}") from e


def _resource_bytes(resource: Resource) -> bytes:
    if isinstance(resource, bytes):
        return resource
    if isinstance(resource, (bytearray, memoryview)):
        return bytes(resource)
    if isinstance(resource, str):
        try:
            return resource.encode("utf-8")
        except UnicodeEncodeError as e:
            raise SeclabelError("invalid_json", f"the resource text is not valid Unicode: {e}") from e
    return _dumps(resource, "the resource", "invalid_json")


def _in_form(tail: bytes, like: Resource) -> Any:
    """The resulting resource in the form the caller gave its input."""
    if tail == b"null":
        return None  # withheld whole
    if isinstance(like, (bytes, bytearray, memoryview)):
        return tail
    if isinstance(like, str):
        return tail.decode("utf-8")
    return json.loads(tail)


class Engine:
    """seclabel's engine, running its WebAssembly module in wasmtime.

    Every method takes a resource as a dict, as JSON text (str) or as UTF-8
    bytes, and returns the protocol's response as a dict whose "resource" has
    the form given; failures raise SeclabelError with the protocol's code.

    An Engine is safe to use from many threads: it keeps a pool of module
    instances (each a wasmtime Store, which is not thread-safe), one per
    call in flight, made when first needed. wasmtime releases the GIL while
    the module runs, so threads label in parallel.

    rules and options configure every instance once (see configure).
    instances: the pool's size, default os.cpu_count(). memory_limit_bytes
    caps each instance's linear memory (default 1 GiB); an instance whose
    memory has grown past recycle_bytes (default 256 MiB, at most the limit)
    is replaced after
    its call, since linear memory never shrinks. module: another
    seclabel.wasm (a path or bytes) instead of the one in the package.
    cache_dir: where compiled code is kept between processes (default: the
    user's cache directory, or SECLABEL_CACHE_DIR; False: nowhere).
    """

    def __init__(
        self,
        *,
        rules: Optional[Sequence[Union[Mapping[str, Any], str]]] = None,
        options: Optional[Mapping[str, Any]] = None,
        instances: Optional[int] = None,
        memory_limit_bytes: int = 1 << 30,
        recycle_bytes: Optional[int] = None,
        module: ModuleSource = None,
        cache_dir: Union[str, "os.PathLike[str]", None, bool] = None,
    ) -> None:
        if instances is None:
            instances = os.cpu_count() or 1
        if instances < 1:
            raise ValueError("instances must be at least 1")
        if not (1 << 20 <= memory_limit_bytes <= 4 << 30):
            raise ValueError("memory_limit_bytes must be from 1 MiB to 4 GiB")
        if recycle_bytes is None:
            recycle_bytes = min(256 << 20, memory_limit_bytes)
        if not (0 <= recycle_bytes <= memory_limit_bytes):
            raise ValueError("recycle_bytes must be from 0 to memory_limit_bytes")
        self._wasm_engine, self._module = compiled(module, cache_dir)
        self._memory_limit = memory_limit_bytes
        self._recycle = recycle_bytes
        self._size = instances
        # LIFO: the instance used last is the one whose memory is warm.
        self._pool: "queue.LifoQueue[Optional[Instance]]" = queue.LifoQueue()
        self._conf_lock = threading.Lock()
        self._configure: Optional[bytes] = None
        self._gen = 0
        self._closed = False
        self._peak = 0
        # The first instance is made now, so that a module that cannot run
        # fails here rather than on the first call.
        first: Optional[Instance] = self._new_instance()
        for _ in range(instances - 1):
            self._pool.put(None)
        self._pool.put(first)
        if rules is not None or options is not None:
            self.configure(rules=rules, options=options)

    # The pool.

    def _new_instance(self) -> Instance:
        return Instance(self._wasm_engine, self._module, self._memory_limit)

    def _bring_up(self, inst: Optional[Instance]) -> Instance:
        """inst (made when None) running with the Engine's configuration."""
        if inst is None:
            inst = self._new_instance()
        with self._conf_lock:
            req, gen = self._configure, self._gen
        if req is not None:
            out, _ = inst.run(req)
            if out != _CONFIGURED:
                # Accepted once, so only a broken instance says otherwise.
                raise SeclabelError("internal", f"configure: unexpected answer {out[:200]!r}")
        inst.gen = gen
        return inst

    def _run(self, head: bytes, tail: Optional[bytes] = None) -> bytes:
        """Runs one request in an instance of the pool; a configure request
        the module accepts becomes every instance's."""
        if self._closed:
            raise SeclabelError("internal", "the engine is closed")
        inst = self._pool.get()
        try:
            if inst is None or inst.gen != self._gen:
                inst = self._bring_up(inst)
            out, _ = inst.run(head, tail)
            if tail is None and out == _CONFIGURED:
                with self._conf_lock:
                    self._configure = bytes(head)
                    self._gen += 1
                    inst.gen = self._gen
            size = inst.memory_bytes()
            self._peak = max(self._peak, size)
            if size > self._recycle:
                inst = None  # replaced on next use
            return out
        except (wasmtime.Trap, wasmtime.WasmtimeError) as e:
            # A trap (a guest panic, the memory limit) leaves the instance
            # in no known state: it is dropped and the call fails whole.
            inst = None
            raise SeclabelError("internal", f"the module failed: {e}") from e
        except BaseException:
            inst = None
            raise
        finally:
            self._pool.put(inst)

    @property
    def instances(self) -> int:
        """The pool's size: how many calls run at once."""
        return self._size

    @property
    def peak_memory_bytes(self) -> int:
        """The largest linear memory an instance has had after a call."""
        return self._peak

    def close(self) -> None:
        """Drops every instance; later calls raise SeclabelError."""
        self._closed = True
        while True:
            try:
                self._pool.get_nowait()
            except queue.Empty:
                break

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # The protocol.

    @overload
    def request(self, req: bytes) -> bytes: ...
    @overload
    def request(self, req: str) -> str: ...
    @overload
    def request(self, req: Mapping[str, Any]) -> Dict[str, Any]: ...

    def request(self, req: Union[bytes, str, Mapping[str, Any]]) -> Union[bytes, str, Dict[str, Any]]:
        """Sends one protocol request as it stands and returns the response,
        errors included, in the request's form: the raw protocol. A split
        request (envelope, NUL, resource) gets a split response."""
        if isinstance(req, (bytes, bytearray, memoryview)):
            return self._run(bytes(req))
        if isinstance(req, str):
            return self._run(_resource_bytes(req)).decode("utf-8")
        resp: Dict[str, Any] = json.loads(self._run(_dumps(req, "the request", "invalid_json")))
        return resp

    def _op(self, op: str, resource: Resource, extra: Dict[str, Any]) -> Result:
        envelope: Dict[str, Any] = {"op": op}
        for k, v in extra.items():
            if v is not None:
                envelope[k] = v
        head = _dumps(envelope, "an option, rule pack or context", "invalid_option")
        # The resource goes after a NUL byte, unescaped, and so does the
        # result (engine/PROTOCOL.md): neither is re-encoded in a string.
        out = self._run(head, _resource_bytes(resource))
        nul = out.find(b"\0")
        resp: Dict[str, Any] = json.loads(out if nul < 0 else out[:nul])
        err = resp.get("error")
        if err is not None:
            raise SeclabelError(str(err.get("code")), str(err.get("message")))
        if nul < 0:
            return resp
        result: Result = {"protocol": resp.pop("protocol"), "op": resp.pop("op"), "resource": _in_form(out[nul + 1 :], resource)}
        result.update(resp)
        return result

    def call(
        self,
        op: str,
        resource: Resource,
        *,
        context: Optional[Mapping[str, Any]] = None,
        options: Optional[Mapping[str, Any]] = None,
        rules: Optional[Sequence[Union[Mapping[str, Any], str]]] = None,
    ) -> Result:
        """Runs any operation by its name; the methods below are the same
        calls. context is redact's access context."""
        return self._op(op, resource, {"context": context, "options": options, "rules": rules})

    def label(
        self,
        resource: Resource,
        *,
        options: Optional[Mapping[str, Any]] = None,
        rules: Optional[Sequence[Union[Mapping[str, Any], str]]] = None,
    ) -> Result:
        """Finds sensitive content and adds security labels."""
        return self._op("label", resource, {"options": options, "rules": rules})

    def hwm(self, resource: Resource, *, options: Optional[Mapping[str, Any]] = None) -> Result:
        """Computes the labels a Bundle, document or message carries."""
        return self._op("hwm", resource, {"options": options})

    def redact(
        self, resource: Resource, context: Mapping[str, Any], *, options: Optional[Mapping[str, Any]] = None
    ) -> Result:
        """Cuts a resource down to what one recipient may see. context is the
        access context: {"clearance", "purposeOfUse", "deny", "allow",
        "compartments", ...}."""
        return self._op("redact", resource, {"context": context, "options": options})

    def validate(self, resource: Resource, *, options: Optional[Mapping[str, Any]] = None) -> Result:
        """Checks the security labels; the result's diagnostics list findings."""
        return self._op("validate", resource, {"options": options})

    def marks(self, resource: Resource) -> List[Dict[str, Any]]:
        """What must be displayed with the resource and each of a Bundle's
        entries: [{"location", "kind", "text", "system", "code"}], kind
        "annotation" (extension-display) or "label" (a mark label)."""
        display: List[Dict[str, Any]] = self._op("marks", resource, {})["report"]["display"]
        return display

    def configure(
        self,
        *,
        rules: Optional[Sequence[Union[Mapping[str, Any], str]]] = None,
        options: Optional[Mapping[str, Any]] = None,
    ) -> None:
        """Compiles rule packs and default options once for every later call
        on every instance; each call replaces the whole configuration
        (configure() alone restores the defaults). A rejected one raises and
        leaves the last in force."""
        envelope: Dict[str, Any] = {"op": "configure"}
        if rules is not None:
            envelope["rules"] = rules
        if options is not None:
            envelope["options"] = options
        out = self._run(_dumps(envelope, "the configuration", "invalid_option"))
        if out != _CONFIGURED:
            resp = json.loads(out)
            err = resp.get("error") or {}
            raise SeclabelError(str(err.get("code", "internal")), str(err.get("message", out[:200])))
