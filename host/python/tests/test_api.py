"""The Python API: the forms a resource is given in and returned in, errors,
marks, redaction, configure."""

from __future__ import annotations

import json

import pytest

import seclabel
from seclabel import Engine, SeclabelError

CONF = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
HIV_CONDITION = ('{"resourceType":"Condition","id":"c","code":{"coding":[{"system":"http://snomed.info/sct",'
                 '"code":"86406008"}]},"subject":{"reference":"Patient/p"}}')
# SNOMED 1234 is in no embedded pack: only a pack of one's own labels it.
PLAIN_CONDITION = ('{"resourceType":"Condition","id":"c","code":{"coding":[{"system":"http://snomed.info/sct",'
                   '"code":"1234"}]},"subject":{"reference":"Patient/p"}}')
PACK_1234 = {"name": "p", "rules": [{"id": "r", "labels": ["HIV"], "codes": {"http://snomed.info/sct": ["1234"]}}]}


def codes(resource) -> list:
    return [label["code"] for label in resource.get("meta", {}).get("security", [])]


def conf(resource) -> str:
    return next(label["code"] for label in resource["meta"]["security"] if label["system"] == CONF)


def test_results_come_back_in_the_form_given(engine):
    as_text = engine.label(HIV_CONDITION)
    assert isinstance(as_text["resource"], str)
    assert "HIV" in codes(json.loads(as_text["resource"]))
    as_bytes = engine.label(HIV_CONDITION.encode())
    assert isinstance(as_bytes["resource"], bytes)
    assert as_bytes["resource"].decode() == as_text["resource"]
    assert engine.label(bytearray(HIV_CONDITION.encode()))["resource"] == as_bytes["resource"]
    as_dict = engine.label(json.loads(HIV_CONDITION))
    assert as_dict["resource"] == json.loads(as_text["resource"])
    # The rest of the response is the same dicts whatever the form.
    for r in (as_text, as_bytes, as_dict):
        assert r["protocol"] == 1 and r["op"] == "label"
        assert r["report"] == as_text["report"] and r["diagnostics"] == as_text["diagnostics"]
    assert as_text["report"]["labeled"][0]["matches"][0]["code"] == "86406008"


def test_text_in_text_out_keeps_bytes_it_did_not_change(engine):
    # hwm of a resource that needs no change returns it byte for byte,
    # spacing and number spellings included.
    text = '{ "resourceType" : "Observation", "status": "final", "code": {"text": "x"}, "valueQuantity": {"value": 1.50},\n "meta": {"security": [{"system": "%s", "code": "N"}]} }' % CONF
    assert engine.hwm(text)["resource"] == text
    assert engine.hwm(text.encode())["resource"] == text.encode()


def test_redact_withholds_a_labeled_resource(engine):
    labeled = engine.label(HIV_CONDITION)["resource"]
    withheld = engine.redact(labeled, {"clearance": "N"})  # labeled R
    assert withheld["resource"] is None
    assert [w["reason"] for w in withheld["report"]["withheld"]] == ["clearance"]
    released = engine.redact(json.loads(labeled), {"clearance": "R", "purposeOfUse": "TREAT"})
    assert released["resource"]["id"] == "c"
    assert engine.redact(labeled, {"clearance": "R", "deny": ["HIV"]})["report"]["withheld"][0]["reason"] == "deny"


def test_hwm_validate_marks(engine):
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "Patient", "meta": {"security": [{"system": CONF, "code": "R"}]}}},
        {"resource": {"resourceType": "Patient"}}]}
    assert conf(engine.hwm(bundle)["resource"]) == "R"
    assert conf(engine.hwm(bundle, options={"defaultConfidentiality": "V"})["resource"]) == "V"
    v = engine.validate(bundle["entry"][0]["resource"] | {"meta": {"security": [{"system": CONF, "code": "r"}]}})
    assert "resource" not in v
    assert [d["code"] for d in v["diagnostics"]] == ["label-code-case"]
    assert v["report"]["errors"] == 1
    marks = engine.marks({"resourceType": "Patient", "meta": {
        "extension": [{"url": "http://hl7.org/fhir/uv/security-label-ds4p/StructureDefinition/extension-display",
                       "valueAnnotation": {"text": "Do not copy"}}],
        "security": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "COPYMark"}]}})
    assert [(m["kind"], m["text"]) for m in marks] == [("annotation", "Do not copy"), ("label", "copy of original mark")]


def test_call_runs_every_operation_as_the_methods_do(engine):
    labeled = engine.label(HIV_CONDITION)["resource"]
    context = {"clearance": "R", "deny": ["SUD"]}
    assert engine.call("label", HIV_CONDITION) == engine.label(HIV_CONDITION)
    assert engine.call("hwm", labeled) == engine.hwm(labeled)
    assert engine.call("validate", labeled) == engine.validate(labeled)
    assert engine.call("redact", labeled, context=context) == engine.redact(labeled, context)
    assert engine.call("marks", labeled)["report"]["display"] == engine.marks(labeled)
    with pytest.raises(SeclabelError) as e:
        engine.call("labelx", HIV_CONDITION)
    assert e.value.code == "invalid_option" and '"marks"' in e.value.message


@pytest.mark.parametrize("resource,code", [
    ('{"resourceType":', "invalid_json"),
    (b'{"resourceType":"Patient","id":"a","id":"b"}', "invalid_json"),
    (b"\xff\xfe{}", "invalid_json"),
    ("not json at all", "invalid_json"),
    ("\ud800", "invalid_json"),  # a lone surrogate: no UTF-8 for it
    ({"id": "x"}, "not_fhir"),
    ([1, 2], "not_fhir"),
    ({"resourceType": "Foo"}, "unsupported_resource"),
    ({"resourceType": "Patient", "x": float("nan")}, "invalid_json"),
    ({"resourceType": "Patient", "x": {1, 2}}, "invalid_json"),
])
def test_bad_resources_raise_with_the_code(engine, resource, code):
    for op in ("label", "hwm", "validate", "marks"):
        with pytest.raises(SeclabelError) as e:
            getattr(engine, op)(resource)
        assert e.value.code == code, (op, e.value)
        assert str(e.value).startswith(code + ": ")
        assert isinstance(e.value, Exception)


def test_bad_options_and_contexts_raise_with_the_code(engine):
    with pytest.raises(SeclabelError) as e:
        engine.hwm(HIV_CONDITION, options={"defaultConfidentiality": "Q"})
    assert e.value.code == "invalid_option"
    with pytest.raises(SeclabelError) as e:
        engine.label(HIV_CONDITION, options={"nosuch": True})
    assert e.value.code == "invalid_option" and "nosuch" in e.value.message
    with pytest.raises(SeclabelError) as e:
        engine.label(HIV_CONDITION, options={"classifier": object()})
    assert e.value.code == "invalid_option"
    with pytest.raises(SeclabelError) as e:
        engine.redact(HIV_CONDITION, {"clearance": "Z"})
    assert e.value.code == "invalid_context"
    with pytest.raises(SeclabelError) as e:
        engine.label(HIV_CONDITION, rules=["us-brod"])
    assert e.value.code == "invalid_rules" and "us-broad" in e.value.message
    with pytest.raises(SeclabelError) as e:
        engine.hwm(HIV_CONDITION, options={"maxInputBytes": 10})
    assert e.value.code == "too_large"
    # The engine still answers after every failure.
    assert "HIV" in codes(engine.label(json.loads(HIV_CONDITION))["resource"])


def test_request_is_the_raw_protocol_in_the_form_given(engine):
    req = {"op": "hwm", "resource": {"resourceType": "Patient"}}
    as_dict = engine.request(req)
    assert as_dict["op"] == "hwm" and conf(as_dict["resource"]) == "N"
    as_text = engine.request(json.dumps(req))
    assert isinstance(as_text, str) and json.loads(as_text) == as_dict
    split = engine.request(b'{"op":"hwm"}\0{"resourceType":"Patient"}')
    head, tail = split.split(b"\0")
    assert json.loads(head)["op"] == "hwm" and conf(json.loads(tail)) == "N"
    # Errors are responses here, not exceptions.
    assert engine.request(b'{"op":')[:30] == b'{"protocol":1,"error":{"code":'


def test_rules_per_call_replace_the_packs(engine):
    assert codes(json.loads(engine.label(PLAIN_CONDITION)["resource"])) == []
    labeled = engine.label(PLAIN_CONDITION, rules=[PACK_1234])["resource"]
    assert "HIV" in codes(json.loads(labeled))
    # A pack as JSON text and an embedded one by name.
    assert "HIV" in codes(json.loads(engine.label(PLAIN_CONDITION, rules=[json.dumps(PACK_1234), "us-default"])["resource"]))
    assert codes(json.loads(engine.label(HIV_CONDITION, rules=[PACK_1234])["resource"])) == []


def test_configure_with_a_rule_pack():
    e = Engine(instances=3, cache_dir=False)
    assert codes(json.loads(e.label(PLAIN_CONDITION)["resource"])) == []
    e.configure(rules=[PACK_1234], options={"classifier": "Clinic"})
    labeled = e.label(json.loads(PLAIN_CONDITION))["resource"]
    assert "HIV" in codes(labeled)
    assert all(l["extension"][0]["valueReference"]["display"] == "Clinic" for l in labeled["meta"]["security"])
    # The configured pack replaced the default one.
    assert codes(e.label(json.loads(HIV_CONDITION))["resource"]) == []
    # A rejected configure raises and keeps the last in force.
    with pytest.raises(SeclabelError) as err:
        e.configure(rules=[{"rules": [{"id": "x"}]}])
    assert err.value.code == "invalid_rules"
    with pytest.raises(SeclabelError) as err:
        e.configure(options={"propagate": ["nothing"]})
    assert err.value.code == "invalid_option"
    assert "HIV" in codes(e.label(json.loads(PLAIN_CONDITION))["resource"])
    # configure() alone restores the defaults.
    e.configure()
    assert codes(e.label(json.loads(PLAIN_CONDITION))["resource"]) == []
    assert "HIV" in codes(e.label(json.loads(HIV_CONDITION))["resource"])


def test_configure_at_construction_and_through_request():
    e = Engine(instances=2, rules=[PACK_1234], options={"textMatch": "off"})
    assert "HIV" in codes(e.label(json.loads(PLAIN_CONDITION))["resource"])
    assert e.request({"op": "configure"}) == {"protocol": 1, "op": "configure"}
    assert codes(e.label(json.loads(PLAIN_CONDITION))["resource"]) == []
    with pytest.raises(SeclabelError) as err:
        Engine(instances=1, rules=["us-brod"])
    assert err.value.code == "invalid_rules"


def test_a_module_that_is_not_seclabel_is_refused(tmp_path):
    empty = bytes([0, 97, 115, 109, 1, 0, 0, 0])  # a valid, empty module
    with pytest.raises(SeclabelError) as err:
        Engine(module=empty, cache_dir=tmp_path)
    assert err.value.code == "unsupported_module"
    with pytest.raises(SeclabelError) as err:
        Engine(module=b"not wasm", cache_dir=tmp_path)
    assert err.value.code == "unsupported_module"


def test_compiled_code_is_cached_on_disk(tmp_path, monkeypatch):
    # The cache works the same for any module: a small one keeps the test
    # from compiling seclabel.wasm again.
    from seclabel import _module
    monkeypatch.setattr(_module, "_compiled", {})  # restored after the test
    small = bytes([0, 97, 115, 109, 1, 0, 0, 0]) + bytes([0, 5, 4]) + b"test"
    _, first = _module.compiled(small, tmp_path)
    files = list(tmp_path.glob("seclabel-*.cwasm"))
    assert len(files) == 1 and files[0].stat().st_size > 0
    # Compiled once per process: the same Module again, whatever the cache.
    assert _module.compiled(small, False)[1] is first
    # A cache file cut short is compiled again and rewritten, not trusted.
    whole = files[0].read_bytes()
    files[0].write_bytes(whole[:10])
    monkeypatch.setattr(_module, "_compiled", {})
    _, again = _module.compiled(small, tmp_path)
    assert again is not first and files[0].read_bytes() == whole
    # And a good one is loaded from disk.
    monkeypatch.setattr(_module, "_compiled", {})
    mtime = files[0].stat().st_mtime_ns
    _module.compiled(small, tmp_path)
    assert files[0].stat().st_mtime_ns == mtime


def test_a_closed_engine_raises():
    e = Engine(instances=1)
    with e:
        e.hwm(HIV_CONDITION)
    with pytest.raises(SeclabelError) as err:
        e.hwm(HIV_CONDITION)
    assert err.value.code == "internal"


def test_memory_grows_and_recycles():
    e = Engine(instances=1, recycle_bytes=64 << 20)
    entry = '{"resource":{"resourceType":"Condition","id":"c","code":{"coding":[{"system":"http://snomed.info/sct","code":"5602001"}]}}}'
    bundle = ('{"resourceType":"Bundle","type":"collection","entry":[' + ",".join([entry] * 200000) + "]}").encode()
    r = e.hwm(bundle)
    assert r["report"]["marks"][0]["entries"] == 200000
    assert e.peak_memory_bytes > 64 << 20, e.peak_memory_bytes
    # The grown instance was replaced: the next call runs in a fresh one.
    assert e._pool.get() is None


def test_a_trap_is_an_error_and_the_engine_goes_on():
    # Past its memory limit the module traps: the call fails whole, the
    # instance is dropped, and the next call runs in a fresh one.
    e = Engine(instances=1, memory_limit_bytes=48 << 20)
    entry = '{"resource":{"resourceType":"Condition","id":"c","code":{"coding":[{"system":"http://snomed.info/sct","code":"5602001"}]}}}'
    bundle = ('{"resourceType":"Bundle","type":"collection","entry":[' + ",".join([entry] * 200000) + "]}").encode()
    with pytest.raises(SeclabelError) as err:
        e.hwm(bundle)
    assert err.value.code == "internal" and "the module failed" in err.value.message
    assert e._pool.queue == [None]
    assert e.hwm(b'{"resourceType":"Patient"}')["op"] == "hwm"


def test_the_unchecked_and_the_public_call_paths_agree():
    from seclabel import _instance
    # The pinned wasmtime has the unchecked entry point: calls take it.
    assert _instance._UNCHECKED
    e = Engine(instances=1)
    inst = e._pool.get()
    e._pool.put(inst)
    assert inst._call._cell is not None and inst._input_buf._cell is not None
    labeled = e.label(HIV_CONDITION)["resource"]
    calls = [lambda: e.label(HIV_CONDITION), lambda: e.hwm(labeled), lambda: e.validate(labeled),
             lambda: e.redact(labeled, {"clearance": "R", "deny": ["HIV"]}), lambda: e.request(b'{"op":')]
    fast = [c() for c in calls]
    inst._call._cell = inst._input_buf._cell = None  # Func.__call__ from here
    assert [c() for c in calls] == fast


def test_errors_pickle_with_their_code():
    import pickle
    e = pickle.loads(pickle.dumps(SeclabelError("not_fhir", "no resourceType")))
    assert (e.code, e.message, str(e)) == ("not_fhir", "no resourceType", "not_fhir: no resourceType")


def test_version():
    assert seclabel.__version__
