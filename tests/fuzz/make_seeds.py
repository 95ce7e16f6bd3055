#!/usr/bin/env python3
"""Writes seed inputs for the fuzz targets into seeds/wire1, seeds/wire2 and seeds/emulator.

Each input starts with one byte that picks the chunk size, then the bytes of
well-formed messages of every request type, so the fuzzer starts from inputs
that reach the typed validation.
"""
import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

SNAPSHOT = {"snapshotAnsi": "\x1b[Hhi", "rehydrateSequences": "\x1b[?1l", "cwd": None,
            "modes": {k: False for k in [
                "applicationCursorKeys", "bracketedPaste", "mouseTrackingX10",
                "mouseTrackingNormal", "mouseTrackingHighlight", "mouseTrackingButtonEvent",
                "mouseTrackingAnyEvent", "focusReporting", "mouseUtf8", "mouseSgr",
                "alternateScreen", "cursorVisible", "originMode", "autoWrap"]},
            "cols": 80, "rows": 24, "scrollbackLines": 0, "offset": 0}

WIRE1 = [
    ({"id": "1", "type": "hello", "payload": {"protocolVersion": 1, "daemonPid": 1,
                                              "daemonVersion": "0.1.0"}}, b""),
    ({"id": "2", "type": "createSession", "payload": {
        "sessionId": "s1", "cols": 80, "rows": 24, "cwd": "/", "shell": "/bin/bash",
        "args": ["--norc"], "env": {"A": "1"}, "workspaceId": "w", "paneId": "p",
        "tabId": "t"}}, b""),
    ({"id": "3", "type": "attachSession", "payload": {"sessionId": "s1", "fromOffset": 5}}, b""),
    ({"id": "4", "type": "write", "payload": {"sessionId": "s1"}}, b"echo hi\r"),
    ({"id": "5", "type": "resize", "payload": {"sessionId": "s1", "cols": 100, "rows": 30}}, b""),
    ({"id": "6", "type": "killSession", "payload": {"sessionId": "s1", "signal": "SIGTERM"}}, b""),
    ({"id": "7", "type": "listSessions"}, b""),
    ({"id": "8", "type": "ok", "ok": True, "payload": {
        "protocolVersion": 1, "supervisorPid": 2, "supervisorVersion": "0.1.0",
        "sessions": []}}, b""),
    ({"type": "event", "event": "data", "sessionId": "s1", "payload": {"offset": 0}},
     b"hello\r\n"),
    ({"id": "9", "type": "getSnapshot", "payload": {"sessionId": "s1"}}, b""),
]

WIRE2 = [
    {"id": "h", "type": "hello", "payload": {"token": "0123456789abcdef", "protocolVersion": 2,
                                             "clientId": "c", "role": "control"}},
    {"id": "req_1", "type": "createOrAttach", "payload": {
        "sessionId": "pane-1", "cols": 80, "rows": 24, "workspaceId": "w", "paneId": "p",
        "tabId": "t", "env": {"X": "y"}, "resumeFrom": 10}},
    {"id": "notify_1", "type": "write", "payload": {"sessionId": "pane-1", "data": "ls\r"}},
    {"id": "req_2", "type": "listSessions"},
    {"id": "req_3", "type": "signal", "payload": {"sessionId": "pane-1", "signal": "SIGINT"}},
    {"id": "req_4", "type": "kill", "payload": {"sessionId": "pane-1", "deleteHistory": True}},
    {"id": "req_5", "type": "ok", "ok": True, "payload": {
        "isNew": True, "snapshot": SNAPSHOT, "wasRecovered": False, "pid": 3}},
    {"type": "event", "event": "data", "sessionId": "pane-1",
     "payload": {"type": "data", "data": "h\u00e9llo", "offset": 3}},
    {"id": "req_6", "type": "shutdown", "payload": {"killSessions": True}},
]


# Hostile output that once hung or stalled the supervisor (issue: hardening):
# REP after a zero-width, combining or C1 character, DECALN floods, CSI with
# huge counts, and resizes to extreme sizes (the 0xf8 op).
HOSTILE = {
    "rep_zero_width": b"hello\n\xe2\x80\x8b\x1b[b",
    "rep_combining": b"\xcc\x81\x1b[b",
    "rep_c1_pad": b"\xc2\x80\x1b[b",
    "rep_c1_st": b"\xc2\x9c\x1b[b",
    "rep_after_cup": b"x\x1b[5;5H\xe2\x80\x8b\x1b[b",
    "rep_after_ris": b"abc\x1bc\xe2\x80\x8b\x1b[3b",
    "rep_huge": b"a\x1b[65535b\x1b[99999999b",
    "rep_after_decaln": b"\x1b#8\x1b#8\x1b[b",  # a fuzzer finding (hang)
    # A fuzzer finding (libvterm overrun): libvterm takes "ESC # [" as a CSI.
    "csi_after_intermediate": b"\x1b[?69h\x1b#[" + b";" * 16 + b"2j",
    "csi_after_esc_high_byte": b"\x1b#8\x1b\xff[" + b";" * 17 + b"1\x1b8",
    "decaln_flood": b"\x1b#8" * 40,
    "huge_counts": b"\x1b[65535L\x1b[65535M\x1b[65535S\x1b[65535T\x1b[65535@\x1b[65535P"
                   b"\x1b[65535X\x1b[65535;65535H\x1b[65535;65535r\x1b[2J\x1b[3J",
}


def emulator_input(cols, rows, stream, resizes=()):
    out = bytearray([cols, rows])
    for pos in range(0, len(stream), 128):
        chunk = stream[pos:pos + 128]
        out.append(len(chunk) - 1)
        out += chunk
    for c, r in resizes:
        out += bytes([0xf8, c, r])
    return bytes(out)


def frame(obj, payload):
    j = json.dumps(obj, separators=(",", ":")).encode()
    return struct.pack(">II", 4 + len(j) + len(payload), len(j)) + j + payload


def main():
    for name in ("wire1", "wire2", "emulator"):
        os.makedirs(os.path.join(HERE, "seeds", name), exist_ok=True)
    for i, (obj, payload) in enumerate(WIRE1):
        for chunk in (0, 6):
            with open(os.path.join(HERE, "seeds", "wire1", f"seed-{i}-{chunk}"), "wb") as f:
                f.write(bytes([chunk]) + frame(obj, payload))
    for i, obj in enumerate(WIRE2):
        for chunk in (0, 63):
            with open(os.path.join(HERE, "seeds", "wire2", f"seed-{i}-{chunk}"), "wb") as f:
                f.write(bytes([chunk]) + (json.dumps(obj) + "\n").encode())
    # The emulator starts from the recorded corpus: an 80x24 size, then the
    # stream in 128-byte feeds.
    data_dir = os.path.join(HERE, "..", "data")
    for name in sorted(os.listdir(data_dir)):
        if not name.endswith(".bin"):
            continue
        stream = open(os.path.join(data_dir, name), "rb").read()[:6000]
        out = bytearray([80, 24])
        for pos in range(0, len(stream), 128):
            chunk = stream[pos:pos + 128]
            out.append(len(chunk) - 1)
            out += chunk
        with open(os.path.join(HERE, "seeds", "emulator", name[:-4]), "wb") as f:
            f.write(bytes(out))
    for name, stream in HOSTILE.items():
        with open(os.path.join(HERE, "seeds", "emulator", name), "wb") as f:
            f.write(emulator_input(80, 24, stream))
    with open(os.path.join(HERE, "seeds", "emulator", "resize_storm"), "wb") as f:
        stream = b"\x1b#8abc" * 4
        out = bytearray(emulator_input(40, 20, stream))
        for op, c, r in [(0xf8, 59, 29), (0xfe, 0, 3), (0xf8, 0, 0), (0xff, 3, 0), (0xf9, 59, 0)] * 4:
            out += bytes([op, c, r]) + bytes([len(stream) - 1]) + stream
        f.write(bytes(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
