"""examples/ndjson.py on a stream."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

SCRIPT = Path(__file__).resolve().parents[1] / "examples" / "ndjson.py"
EXPORT = ROOT / "testdata" / "examples" / "export.ndjson"


def ndjson(*args: str, stdin: bytes = b""):
    return subprocess.run([sys.executable, str(SCRIPT), *args], input=stdin, capture_output=True, timeout=120)


def test_labels_a_stream_line_by_line(engine):
    stream = EXPORT.read_bytes()
    lines = [l for l in stream.split(b"\n") if l.strip()]
    assert len(lines) > 5
    p = ndjson("label", stdin=stream)
    assert p.returncode == 0, p.stderr
    out = p.stdout.split(b"\n")
    assert out[-1] == b"" and len(out) - 1 == len(lines)
    want = [engine.label(l)["resource"] for l in lines]
    assert out[:-1] == want
    assert want != lines  # something was labeled
    # From a file, four lines at a time, to a file: the same lines in order.
    p = ndjson("label", str(EXPORT), "--jobs", "4", "--out", "/dev/stdout")
    assert p.returncode == 0, p.stderr
    assert p.stdout.split(b"\n")[:-1] == want


def test_rules_and_options_apply(engine):
    stream = EXPORT.read_bytes()
    pack = ROOT / "testdata" / "examples" / "my-pack.json"
    p = ndjson("label", "--rules", str(pack), "--option", "classifier=Clinic", stdin=stream)
    assert p.returncode == 0, p.stderr
    lines = [l for l in stream.split(b"\n") if l.strip()]
    want = [engine.label(l, rules=[pack.read_text()], options={"classifier": "Clinic"})["resource"] for l in lines]
    assert p.stdout.split(b"\n")[:-1] == want
    assert b'"display":"Clinic"' in p.stdout


def test_redact_leaves_out_withheld_lines(engine):
    labeled = ndjson("label", stdin=EXPORT.read_bytes()).stdout
    ctx = ROOT / "testdata" / "examples" / "recipient.json"
    p = ndjson("redact", "--context", str(ctx), stdin=labeled)
    assert p.returncode == 0, p.stderr
    lines = labeled.split(b"\n")[:-1]
    want = [r for r in (engine.redact(l, json.loads(ctx.read_text()))["resource"] for l in lines) if r is not None]
    assert 0 < len(want) < len(lines)
    assert p.stdout.split(b"\n")[:-1] == want


def test_stops_at_the_first_bad_line():
    good = b'{"resourceType":"Patient","id":"a"}'
    for jobs in ("1", "3"):
        p = ndjson("hwm", "--jobs", jobs, stdin=good + b"\n\n" + good + b"\n" + b'{"resourceType":' + b"\n" + good + b"\n")
        assert p.returncode == 1
        assert b"line 4: invalid_json" in p.stderr, p.stderr
        assert p.stdout.count(b"\n") == 2  # the two lines before it, whole
        assert b"Traceback" not in p.stderr


def test_a_bad_pack_is_reported(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"rules":[{"id":"x"}]}')
    p = ndjson("label", "--rules", str(bad), stdin=b"")
    assert p.returncode == 1 and p.stderr.startswith(b"ndjson: invalid_rules: ") and b"Traceback" not in p.stderr
