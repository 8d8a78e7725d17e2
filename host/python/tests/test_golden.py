"""The golden corpus (testdata/cases) through the Python package, compared
as internal/golden compares it for Go: each case's request is sent as the
exact bytes of the case file, and the response (its resource joined back
after a NUL byte) must equal "want" value for value, numbers as written and
members in order, or carry "want_error_code"."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Tuple

import pytest

from conftest import ROOT

_decoder = json.JSONDecoder()


def member_spans(text: str) -> Dict[str, str]:
    """The source text of each top-level member's value, so that requests
    keep their exact bytes (number spellings, escapes)."""
    spans: Dict[str, str] = {}
    i = text.index("{") + 1
    ws = " \t\r\n"
    while True:
        while text[i] in ws or text[i] == ",":
            i += 1
        if text[i] == "}":
            return spans
        key, i = _decoder.raw_decode(text, i)
        while text[i] in ws:
            i += 1
        assert text[i] == ":", f"expected ':' at {i}"
        i += 1
        while text[i] in ws:
            i += 1
        _, end = _decoder.raw_decode(text, i)
        spans[key] = text[i:end]
        i = end


class Num(str):
    """A number as written: 1.0 is not 1 (FHIR keeps a decimal's precision)."""


def _pairs(pairs: List[Tuple[str, Any]]) -> Tuple[Tuple[str, Any], ...]:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError(f"an object names a member twice: {keys}")
    return tuple(pairs)  # members in order


def strict(text: str) -> Any:
    return json.loads(text, object_pairs_hook=_pairs, parse_float=Num, parse_int=Num,
                      parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))


def joined(resp: bytes) -> str:
    """A response whose resource follows a NUL byte, as the one JSON
    response expectations are written as (internal/golden.Joined)."""
    nul = resp.find(b"\0")
    if nul < 0:
        return resp.decode("utf-8")
    head = resp[:nul].decode("utf-8")
    spans = member_spans(head)
    parts = []
    for k, v in spans.items():
        parts.append(json.dumps(k) + ":" + v)
        if k == "op":
            parts.append('"resource":' + resp[nul + 1:].decode("utf-8"))
    return "{" + ",".join(parts) + "}"


def load_cases() -> List[Tuple[str, str]]:
    base = ROOT / "testdata" / "cases"
    files = sorted(base.rglob("*.json"))
    return [(f.relative_to(base).with_suffix("").as_posix(), f.read_text("utf-8")) for f in files]


CASES = load_cases()
EXCEPTIONS: Dict[str, str] = json.loads((ROOT / "testdata" / "exceptions" / "python.json").read_text("utf-8"))


def test_corpus_and_exceptions():
    assert len(CASES) > 100, f"only {len(CASES)} cases"
    assert isinstance(EXCEPTIONS, dict)
    notes = {n for n, _ in CASES}
    assert not set(EXCEPTIONS) - notes, "exceptions/python.json names cases that do not exist"


@pytest.mark.parametrize("note,text", CASES, ids=[n for n, _ in CASES])
def test_case(engine, note: str, text: str):
    if note in EXCEPTIONS:
        pytest.skip("exception: " + EXCEPTIONS[note])
    case = json.loads(text)
    assert case["note"] == note
    spans = member_spans(text)
    expectations = [k for k in ("want", "want_error_code") if k in case]
    assert len(expectations) == 1, "a case needs exactly one expectation"
    request = case["request_raw"] if "request_raw" in case else spans["request"]
    got = joined(engine.request(request.encode("utf-8")))
    got_value = strict(got)
    if "want_error_code" in case:
        code = dict(got_value).get("error")
        code = dict(code).get("code") if code else None
        assert code == case["want_error_code"], got[:300]
    else:
        assert got_value == strict(spans["want"]), f"response differs\n got: {got[:2000]}\nwant: {spans['want'][:2000]}"


def test_strict_comparison_tells_spellings_and_order_apart():
    # The comparison itself: what it must not let through.
    assert strict('{"a":1.0}') != strict('{"a":1}')
    assert strict('{"a":1,"b":2}') != strict('{"b":2,"a":1}')
    assert strict('{"a":[1,{"x":"y"}]}') == strict('{ "a" : [1, {"x": "y"}] }')
    with pytest.raises(ValueError):
        strict('{"a":1,"a":1}')
    assert joined(b'{"protocol":1,"op":"hwm","report":{}}\0{"resourceType":"Patient"}') == \
        '{"protocol":1,"op":"hwm","resource":{"resourceType":"Patient"},"report":{}}'
