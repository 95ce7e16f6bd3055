#!/usr/bin/env python3
"""Records the byte streams in tests/data/*.bin that the emulator tests replay.

Each stream is what a real program wrote to a real 80x24 PTY (TERM=xterm-256color,
LANG=C.UTF-8), driven by scripted keystrokes. Run it again to refresh the corpus:

    python3 tests/data/record.py            # all
    python3 tests/data/record.py vim top    # some

Needs bash, coreutils, vim, less and procps (top). The output is committed, so
the tests themselves need none of these programs.
"""
import fcntl
import os
import pty
import select
import shutil
import signal
import struct
import sys
import tempfile
import termios
import time

HERE = os.path.dirname(os.path.abspath(__file__))
COLS, ROWS = 80, 24


def spawn(argv, cwd, env):
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        os.chdir(cwd)
        os.execvpe(argv[0], argv, env)
    return pid, fd


def read_for(fd, out, until=None, idle=0.4, limit=10.0):
    """Reads until `until` (bytes) is in what arrived, or no output for `idle` s."""
    start = len(out)
    deadline = time.monotonic() + limit
    last = time.monotonic()
    while time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return False
            if not chunk:
                return False
            out += chunk
            last = time.monotonic()
            if until is not None and until in out[start:]:
                return True
        elif until is None and time.monotonic() - last > idle:
            return True
    return True


def record(name, argv, steps=(), cwd=None, env_extra=None, kill_at_end=False):
    env = {"TERM": "xterm-256color", "LANG": "C.UTF-8", "HOME": cwd or "/tmp",
           "PATH": "/usr/local/bin:/usr/bin:/bin", "COLUMNS": str(COLS), "LINES": str(ROWS)}
    env.update(env_extra or {})
    pid, fd = spawn(argv, cwd or "/tmp", env)
    out = bytearray()
    read_for(fd, out)
    for step in steps:
        if isinstance(step, tuple) and step[0] == "wait":
            read_for(fd, out, until=step[1])
        else:
            os.write(fd, step if isinstance(step, bytes) else step.encode())
            read_for(fd, out)
    if kill_at_end:
        os.kill(pid, signal.SIGKILL)
    else:
        while read_for(fd, out, idle=5.0, limit=15.0):
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                break
            if done:
                break
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    os.close(fd)
    with open(os.path.join(HERE, name + ".bin"), "wb") as f:
        f.write(bytes(out))
    print(f"{name}.bin: {len(out)} bytes")


def sh(script):
    return ["bash", "--norc", "--noprofile", "-c", script]


def varied_dir(root):
    d = os.path.join(root, "varied")
    os.makedirs(os.path.join(d, "subdir"))
    os.makedirs(os.path.join(d, "sticky_other_writable"))
    os.chmod(os.path.join(d, "sticky_other_writable"), 0o1777)
    for n in ["README.md", "archive.tar.gz", "photo.png", "song.mp3", "script.py", "data.json"]:
        open(os.path.join(d, n), "w").write("x\n")
    open(os.path.join(d, "run.sh"), "w").write("#!/bin/sh\n")
    os.chmod(os.path.join(d, "run.sh"), 0o755)
    open(os.path.join(d, "setuid"), "w").write("")
    os.chmod(os.path.join(d, "setuid"), 0o4755)
    os.symlink("README.md", os.path.join(d, "link"))
    os.symlink("missing", os.path.join(d, "broken_link"))
    os.mkfifo(os.path.join(d, "fifo"))
    return d


SGR = r"""
for a in 1 2 3 4 5 7 8 9 21 53; do printf '\e[%sm attr %s \e[0m' $a $a; done; echo
printf '\e[1;2;3;4;9mall\e[22mnot bold\e[23;24;29m plain\e[0m\n'
for i in $(seq 30 37) $(seq 90 97); do printf '\e[%smfg%s\e[0m ' $i $i; done; echo
for i in $(seq 40 47) $(seq 100 107); do printf '\e[%smbg%s\e[0m ' $i $i; done; echo
for i in $(seq 0 255); do printf '\e[38;5;%sm%3s\e[0m' $i $i; [ $((i % 16)) = 15 ] && echo; done
for i in $(seq 0 16 255); do printf '\e[48;5;%sm  \e[0m' $i; done; echo
for i in $(seq 0 8 255); do printf '\e[38;2;%s;100;%sm#\e[48;2;0;%s;50m \e[0m' $i $((255-i)) $i; done; echo
printf '\e[38:2:10:20:30mcolon rgb\e[0m \e[38:5:196mcolon 256\e[0m \e[4:3mcurly\e[0m\n'
printf '\e[7;31;42mreverse\e[27m back\e[39;49m default\e[0m\n'
"""

CJK = r"""
printf '中文字符 日本語 한국어 emoji 😀🎉👍 mixed a中b文c\n'
printf '%79s中\n' x
printf '%78s中\n' x
printf '%77s😀😀\n' x
printf 'e\xcc\x81 a\xcc\x88 n\xcc\x83 combining\n'
printf '\e[31m紅\e[32m緑\e[34m青\e[0m\n'
for i in $(seq 1 10); do printf '漢字%.0s' $(seq 1 $i); echo; done
"""

ALT = r"""
printf 'before alt\n'
tput smcup; tput clear; tput cup 5 10; printf '\e[1;33min the alternate screen\e[0m'
tput cup 10 0; printf 'box: +--+\n     |  |\n     +--+'; sleep 0.2
tput rmcup
printf 'after alt\n'
"""

ALT_STAY = r"""
printf 'primary line 1\nprimary line 2\n'
printf '\e[?1049h\e[2J\e[H\e[44m status bar \e[0m\e[3;3Hdrawn while in alt\e[?25l\e[?1000h\e[?1006h'
"""

CUP = r"""
printf '\e[2J\e[H'
printf '\e[2;5H+\e[2;40H+\e[12;5H+\e[12;40H+'
for r in $(seq 3 11); do printf '\e[%s;5H|\e[%s;40H|' $r $r; done
printf '\e[2;6H'; printf -- '-%.0s' $(seq 1 34); printf '\e[12;6H'; printf -- '-%.0s' $(seq 1 34)
printf '\e[7;15H\e[1mcentered\e[0m\e[20;1H\e[K\e[s\e[5;60Hsaved\e[u\e[2Kafter restore'
printf '\e[15;10H\e[3X\e[15;1Hxxxxxxxxxxxx\e[15;3H\e[4X\e[1;80HZ\e[24;80HQ\e[10;70H\e[1K'
printf '\e[22;1H'
"""

SCROLL = r"""
for i in $(seq 1 30); do echo "line $i"; done
printf '\e[5;15r\e[15;1H'
for i in $(seq 1 20); do echo "in region $i"; done
printf '\e[5;1H\eM\eM\e[1;31mreverse indexed\e[0m'
printf '\e[8;1H\e[2L\e[10;1H\e[1M\e[12;1H\e[3S\e[2T'
printf '\e[r\e[24;1H'
for i in $(seq 1 5); do echo "after $i"; done
printf '\e[3;20r\e[20;1H\n\n\e[r'
"""


def main():
    want = set(sys.argv[1:])
    root = tempfile.mkdtemp(prefix="ptyctl-record-")
    try:
        vdir = varied_dir(root)
        longfile = os.path.join(root, "long.txt")
        with open(longfile, "w") as f:
            for i in range(1, 501):
                f.write(f"line {i}: the quick brown fox jumps over the lazy dog {i * 7}\n")
        cfile = os.path.join(root, "hello.c")
        with open(cfile, "w") as f:
            f.write('#include <stdio.h>\n\nint main(void) {\n  printf("hello\\n");\n'
                    '  return 0;\n}\n' + "".join(f"// filler line {i}\n" for i in range(60)))
        prompt = r"\[\e[1;32m\]user@host\[\e[0m\]:\[\e[1;34m\]\w\[\e[0m\]\$ "
        jobs = {
            "ls_color": lambda: record("ls_color", ["ls", "--color=always", "-la", vdir], cwd=root),
            "bash_prompt": lambda: record(
                "bash_prompt", ["bash", "--norc", "--noprofile", "-i"], cwd=root,
                env_extra={"PS1": prompt},
                steps=["echo hello world\r", "printf '\\e[31mred\\e[0m\\n'\r", "cd varied\r",
                       "ls --color=always\r", "for i in $(seq 1 40); do echo line $i; done\r",
                       "echo -n 'no newline'\r", "exit\r"]),
            "vim": lambda: record(
                "vim", ["vim", "-u", "NONE", "-N", "-i", "NONE", "-n", cfile], cwd=root,
                steps=["G", "o", "int added(void) { return 1; }", "\x1b", "gg", ":set number\r",
                       "/printf\r", "cwputs\x1b", ":%s/filler/FILLER/g\r", "\x1b", "50G", "zz",
                       ":wq\r"]),
            "vim_open": lambda: record(
                "vim_open", ["vim", "-u", "NONE", "-N", "-i", "NONE", "-n", "-c", "set number",
                             "-c", "set mouse=a", cfile], cwd=root,
                steps=["15G", "Otyped in vim\x1b", ":split\r", "\x1b"], kill_at_end=True),
            "top": lambda: record("top", ["top", "-d", "0.3", "-n", "6"], cwd=root),
            "less": lambda: record(
                "less", ["less", longfile], cwd=root,
                steps=[" ", " ", "/line 77\r", "b", "G", "g", "q"]),
            "sgr": lambda: record("sgr", sh(SGR), cwd=root),
            "cjk_emoji": lambda: record("cjk_emoji", sh(CJK), cwd=root),
            "altscreen": lambda: record("altscreen", sh(ALT), cwd=root),
            "altscreen_stay": lambda: record("altscreen_stay", sh(ALT_STAY), cwd=root),
            "cursor_addressing": lambda: record("cursor_addressing", sh(CUP), cwd=root),
            "scroll_regions": lambda: record("scroll_regions", sh(SCROLL), cwd=root),
        }
        for name, job in jobs.items():
            if not want or name in want:
                job()
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
