"""The pool under threads: answers identical to serial calls, instances
used at once, configuration reaching every instance."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from conftest import ROOT
from seclabel import Engine, SeclabelError

PACK_1234 = {"name": "p", "rules": [{"id": "r", "labels": ["HIV"], "codes": {"http://snomed.info/sct": ["1234"]}}]}


def inputs() -> list:
    """The example resources and the resources of the golden label cases."""
    out = [p.read_bytes() for p in sorted((ROOT / "testdata" / "examples").glob("*.json"))
           if json.loads(p.read_text()).get("resourceType")]
    for p in sorted((ROOT / "testdata" / "cases" / "label").glob("*.json")):
        req = json.loads(p.read_text()).get("request")
        if isinstance(req, dict) and isinstance(req.get("resource"), dict) and set(req) <= {"op", "resource"}:
            out.append(json.dumps(req["resource"]).encode())
    return out


def run(engine: Engine, op: str, resource: bytes):
    try:
        if op == "redact":
            return engine.redact(resource, {"clearance": "N", "deny": ["SUD", "HIV"]})
        return getattr(engine, op)(resource)
    except SeclabelError as e:
        return ("error", e.code, e.message)


def test_threads_get_what_serial_calls_get():
    resources = inputs()
    assert len(resources) > 40
    jobs = [(op, r) for op in ("label", "hwm", "redact", "validate") for r in resources]
    serial = Engine(instances=1)
    want = [run(serial, op, r) for op, r in jobs]
    assert any(isinstance(w, dict) and w["resource"] != r for w, (_, r) in zip(want, jobs))
    pooled = Engine(instances=4)
    with ThreadPoolExecutor(8) as ex:
        got = list(ex.map(lambda job: run(pooled, *job), jobs * 3))
    assert got == want * 3
    # Calls overlapped: the pool made more than one instance.
    made = 0
    while not pooled._pool.empty():
        made += pooled._pool.get() is not None
    assert made > 1


def test_configure_reaches_every_instance():
    e = Engine(instances=4)
    plain = b'{"resourceType":"Condition","code":{"coding":[{"system":"http://snomed.info/sct","code":"1234"}]},"subject":{"reference":"Patient/p"}}'

    def labels(_):
        r = json.loads(e.label(plain)["resource"])
        return [l["code"] for l in r.get("meta", {}).get("security", [])]

    with ThreadPoolExecutor(8) as ex:
        assert all(x == [] for x in ex.map(labels, range(200)))
        e.configure(rules=[PACK_1234])
        assert all("HIV" in x for x in ex.map(labels, range(200)))
        # Through request, as raw bytes, too.
        assert e.request(b'{"op":"configure"}') == b'{"protocol":1,"op":"configure"}'
        assert all(x == [] for x in ex.map(labels, range(200)))
