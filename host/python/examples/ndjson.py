"""Labels an NDJSON stream (one FHIR resource per line, as a bulk export
writes it) line by line, writing labeled NDJSON.

    python ndjson.py [label|hwm|redact] [FILE] [--rules PACK.json]...
                     [--option NAME=JSON]... [--context RECIPIENT.json]
                     [--jobs N] [--out FILE]

FILE defaults to standard input, --out to standard output. Lines are read
and written as bytes, so what labeling does not change stays as it was;
--jobs labels that many lines at once (threads over the engine's pool of
instances) and still writes them in order. redact leaves out the lines it
withholds whole. Blank lines are skipped. At the first line the engine
rejects, the lines before it have been written; the line's number and the
engine's error code go to standard error and the exit status is 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import IO, Any, Deque, Dict, Iterator, Optional, Tuple

from seclabel import Engine, SeclabelError


def lines(stream: IO[bytes]) -> Iterator[Tuple[int, bytes]]:
    for number, line in enumerate(stream, 1):
        line = line.rstrip(b"\r\n")
        if line.strip():
            yield number, line


def main(argv: Optional[list] = None) -> int:
    ap = argparse.ArgumentParser(description="Label an NDJSON stream with seclabel.")
    ap.add_argument("op", nargs="?", default="label", choices=["label", "hwm", "redact"])
    ap.add_argument("file", nargs="?", default="-", help="NDJSON input (default: standard input)")
    ap.add_argument("--rules", action="append", default=[], help="a rule pack file (repeatable)")
    ap.add_argument("--option", action="append", default=[], help="NAME=VALUE, VALUE as JSON or a bare string")
    ap.add_argument("--context", help="the recipient's access context, a JSON file (redact)")
    ap.add_argument("--jobs", type=int, default=1, help="lines labeled at once")
    ap.add_argument("--out", default="-", help="output file (default: standard output)")
    args = ap.parse_args(argv)

    options: Dict[str, Any] = {}
    for item in args.option:
        name, _, value = item.partition("=")
        try:
            options[name] = json.loads(value)
        except ValueError:
            options[name] = value
    context = None
    if args.op == "redact":
        if not args.context:
            ap.error("redact needs --context")
        with open(args.context, encoding="utf-8") as f:
            context = json.load(f)
    rules = []
    for path in args.rules:
        with open(path, encoding="utf-8") as f:
            rules.append(f.read())

    try:
        # The packs and options are compiled once, by configure, rather
        # than sent with every line.
        engine = Engine(instances=max(1, args.jobs), rules=rules or None, options=options or None)
    except SeclabelError as e:
        print(f"ndjson: {e.code}: {e.message}", file=sys.stderr)
        return 1

    def one(line: bytes) -> Optional[bytes]:
        if context is not None:
            return engine.redact(line, context)["resource"]
        return engine.call(args.op, line)["resource"]

    source = sys.stdin.buffer if args.file == "-" else open(args.file, "rb")
    sink = sys.stdout.buffer if args.out == "-" else open(args.out, "wb")
    # A window of lines in flight: ordered output, bounded memory.
    pending: Deque[Tuple[int, "Future[Optional[bytes]]"]] = deque()
    status = 0
    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        try:
            stream = lines(source)
            while True:
                for number, line in stream:
                    pending.append((number, pool.submit(one, line)))
                    if len(pending) >= 4 * args.jobs:
                        break
                if not pending:
                    break
                number, future = pending.popleft()
                try:
                    out = future.result()
                except SeclabelError as e:
                    print(f"ndjson: line {number}: {e.code}: {e.message}", file=sys.stderr)
                    status = 1
                    break
                if out is not None:  # None: redaction withheld the line whole
                    sink.write(out)
                    sink.write(b"\n")
        finally:
            for _, future in pending:
                future.cancel()
            sink.flush()
            if sink is not sys.stdout.buffer:
                sink.close()
            if source is not sys.stdin.buffer:
                source.close()
    return status


if __name__ == "__main__":
    sys.exit(main())
