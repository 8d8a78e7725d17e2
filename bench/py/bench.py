"""The Python half of the benchmark harness (bench/harness/python.go): the
plan of its Go measure (and of bench/js/bench.mjs) run through the seclabel
Python package, bytes in and bytes out, as an application holding a read
bundle calls it.

    python bench/py/bench.py MANIFEST

reads the manifest the harness wrote ({"tasks": [{"id", "group", "op",
"inputs": [{"path", "resources"}]}], "budgetMs", "minRounds", "maxRounds",
"minBatchMs"}) and prints {"version", "wasmtime", "results"} as JSON, one
result per task as bench.mjs gives them.
"""

from __future__ import annotations

import json
import platform
import sys
import time
from importlib.metadata import version
from typing import Any, Callable, Dict, List

from seclabel import Engine

# The recipient of every redaction, as in bench/harness/measure.go.
REDACT_CONTEXT = {"clearance": "N", "deny": ["SUD", "HIV"]}


def caller(engine: Engine, op: str) -> Callable[[bytes], Any]:
    if op == "label":
        return engine.label
    if op == "hwm":
        return engine.hwm
    if op == "redact":
        return lambda b: engine.redact(b, REDACT_CONTEXT)
    if op == "validate":
        return engine.validate
    raise ValueError(f"unknown op {op}")


def now() -> float:
    return time.perf_counter() * 1e3


def measure(plan: Dict[str, Any]) -> List[Dict[str, Any]]:
    """Each group of tasks (one input set) gets a fresh engine of one
    instance, so that the memory figure is that set's, as for wazero."""
    results = []
    engine = None
    group = None
    for task in plan["tasks"]:
        if engine is None or task["group"] != group:
            engine = Engine(instances=1)
            group = task["group"]
        call = caller(engine, task["op"])
        r = {"id": task["id"], "calls": 0, "warm": 0, "bytes": 0, "resources": 0, "elapsed": 0.0, "samples": [], "memory": 0}
        # Warm-up, as in bench.mjs: the first call is left out of sizing
        # the batch (it may pay once for what later calls reuse).
        batch = []
        for inp in task["inputs"]:
            call(inp["bytes"])
            r["warm"] += 1
            t0 = now()
            k = 0
            while k == 0 or (now() - t0 < plan["minBatchMs"] and k < 10000):
                call(inp["bytes"])
                k += 1
            r["warm"] += k
            batch.append(k)
        start = now()
        rounds = 0
        while rounds < plan["maxRounds"] and (rounds < plan["minRounds"] or now() - start < plan["budgetMs"]):
            for inp, k in zip(task["inputs"], batch):
                t0 = now()
                for _ in range(k):
                    call(inp["bytes"])
                ms = now() - t0
                r["samples"].append(ms / k)
                r["elapsed"] += ms
                r["calls"] += k
                r["bytes"] += k * len(inp["bytes"])
                r["resources"] += k * inp["resources"]
            rounds += 1
        r["memory"] = engine.peak_memory_bytes
        results.append(r)
    return results


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as f:
        manifest = json.load(f)
    cache: Dict[str, bytes] = {}
    for task in manifest["tasks"]:
        for inp in task["inputs"]:
            if inp["path"] not in cache:
                with open(inp["path"], "rb") as f:
                    cache[inp["path"]] = f.read()
            inp["bytes"] = cache[inp["path"]]
    results = measure(manifest)
    json.dump({"version": platform.python_version(), "wasmtime": version("wasmtime"), "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
