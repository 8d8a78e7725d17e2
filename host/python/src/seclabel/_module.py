"""Compiling seclabel.wasm: once per process, and from a cache on disk.

Compiling the module with Cranelift takes seconds; a process compiles each
distinct module once (one wasmtime Engine and Module shared by every
seclabel.Engine and thread) and keeps the compiled code in the user's cache
directory, from which the next process loads it in milliseconds.
"""

from __future__ import annotations

import hashlib
import os
import platform
import sys
import tempfile
import threading
from importlib import resources
from pathlib import Path
from typing import Dict, Optional, Tuple, Union

import wasmtime

from ._errors import SeclabelError

ModuleSource = Union[str, "os.PathLike[str]", bytes, None]

_lock = threading.Lock()
_engine: Optional[wasmtime.Engine] = None
_compiled: Dict[str, wasmtime.Module] = {}


def wasm_engine() -> wasmtime.Engine:
    """The process's one wasmtime Engine: compiled code belongs to an engine."""
    global _engine
    with _lock:
        if _engine is None:
            _engine = wasmtime.Engine()
        return _engine


def module_bytes(source: ModuleSource) -> bytes:
    """The module's bytes: the one shipped in the package unless given."""
    if source is None:
        try:
            return resources.files("seclabel").joinpath("seclabel.wasm").read_bytes()
        except OSError as e:
            raise SeclabelError("unsupported_module", f"the package lacks seclabel.wasm: {e}") from e
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source)
    try:
        return Path(source).read_bytes()
    except OSError as e:
        raise SeclabelError("unsupported_module", f"reading the module: {e}") from e


def default_cache_dir() -> Optional[Path]:
    """Where compiled modules are kept: SECLABEL_CACHE_DIR, else the
    platform's per-user cache directory; None when there is none."""
    env = os.environ.get("SECLABEL_CACHE_DIR")
    if env is not None:
        return Path(env) if env else None
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA")
        return Path(base) / "seclabel" if base else None
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "seclabel"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "seclabel"


def compiled(source: ModuleSource, cache_dir: Union[str, "os.PathLike[str]", None, bool]) -> Tuple[wasmtime.Engine, wasmtime.Module]:
    """The compiled module for source, compiled at most once per process.

    cache_dir: a directory for the compiled code, True (or None) for the
    default one, False for none.
    """
    wasm = module_bytes(source)
    digest = hashlib.sha256(wasm).hexdigest()
    engine = wasm_engine()
    with _lock:
        mod = _compiled.get(digest)
        if mod is not None:
            return engine, mod
        if cache_dir is None or cache_dir is True:
            directory = default_cache_dir()
        elif cache_dir is False:
            directory = None
        else:
            directory = Path(cache_dir)
        mod = _load_cached(engine, wasm, digest, directory)
        _compiled[digest] = mod
        return engine, mod


def _cache_file(directory: Path, digest: str) -> Path:
    # Compiled code is only valid for the same wasmtime and CPU: both name
    # the file, so an upgrade compiles anew instead of loading stale code.
    version = getattr(wasmtime, "__version__", None)
    if version is None:
        from importlib.metadata import version as dist_version

        version = dist_version("wasmtime")
    return directory / f"seclabel-{digest[:24]}-wasmtime-{version}-{platform.machine()}.cwasm"


def _load_cached(engine: wasmtime.Engine, wasm: bytes, digest: str, directory: Optional[Path]) -> wasmtime.Module:
    path = _cache_file(directory, digest) if directory is not None else None
    if path is not None and path.is_file():
        try:
            return wasmtime.Module.deserialize_file(engine, str(path))
        except Exception:
            pass  # written by an incompatible build, or cut short: compile again below
    try:
        mod = wasmtime.Module(engine, wasm)
    except Exception as e:
        raise SeclabelError("unsupported_module", f"compiling the module: {e}") from e
    if path is not None:
        _store(path, mod)
    return mod


def _store(path: Path, mod: wasmtime.Module) -> None:
    # Loading compiled code runs it, so the cache is private to its user,
    # and written whole then renamed, so that a reader never loads half.
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".cwasm")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(mod.serialize())
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass  # a read-only or full disk only costs the next process a compile
