#!/usr/bin/env python3
"""Fails when a JSON field name or a message type name of either wire is
spelled as a string literal outside libproto/ (#15): the wires are known in
one place, and everything else uses libproto's types.

Field names come from the BOOST_DESCRIBE_STRUCT lists in libproto/src and the
envelope's keys; type names from the kType/kEvent constants in libproto's
headers. A literal counts where it is used as JSON: an object initializer
pair ({"name", ...}), at("name"), ["name"], contains/if_contains/erase("name"),
and for type names as the type of a request or event (call("type", ...),
make_event("type", ...), == "type"). Exceptions are listed, with their
reason, in scripts/wire-names-allowed.txt as `path name`.
"""
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CHECKED = ("cli/", "daemon/", "supervisor/", "common/")
ENVELOPE = {"id", "type", "payload", "event", "ok", "error", "sessionId"}


def wire_names():
    fields = set(ENVELOPE)
    for f in (ROOT / "libproto/src").glob("*.cpp"):
        text = f.read_text()
        for m in re.finditer(r"BOOST_DESCRIBE_STRUCT\(\s*\w+\s*,\s*\([^)]*\)\s*,\s*\(([^)]*)\)\)",
                             text, re.S):
            fields.update(n.strip() for n in m.group(1).split(",") if n.strip())
    types = set()
    for f in (ROOT / "libproto/include").rglob("*.hpp"):
        types.update(re.findall(r'k(?:Type|Event)\s*=\s*"(\w+)"', f.read_text()))
    return fields, types


def allowed():
    out = set()
    path = ROOT / "scripts/wire-names-allowed.txt"
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            file, name = line.split()
            out.add((file, name))
    return out


def main():
    fields, types = wire_names()
    ok = allowed()
    files = subprocess.run(["git", "ls-files", "--", *CHECKED], cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout.split()
    as_field = re.compile(r'(?:\{\s*"(\w+)"\s*,|\.at\(\s*"(\w+)"\s*\)|\[\s*"(\w+)"\s*\]|'
                          r'(?:contains|erase)\(\s*"(\w+)"\s*\))')
    as_type = re.compile(r'(?:\b(?:call|call_now|call_raw|send_and_wait|make_request|make_event|'
                         r'send_event|request|notify)\(\s*"(\w+)"|==\s*"(\w+)"|"(\w+)"\s*==)')
    found = []
    for name in files:
        if not name.endswith((".cpp", ".hpp")):
            continue
        for n, line in enumerate((ROOT / name).read_text().splitlines(), 1):
            for m in as_field.finditer(line):
                word = next(g for g in m.groups() if g)
                if word in fields and (name, word) not in ok:
                    found.append(f"{name}:{n}: wire field \"{word}\" spelled out: {line.strip()}")
            for m in as_type.finditer(line):
                word = next(g for g in m.groups() if g)
                if word in types and (name, word) not in ok:
                    found.append(f"{name}:{n}: message type \"{word}\" spelled out: {line.strip()}")
    for f in found:
        print(f)
    if found:
        print(f"lint: {len(found)} wire names outside libproto/ (use libproto's types)")
        return 1
    print(f"lint: no wire names outside libproto/ ({len(fields)} fields, {len(types)} types)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
