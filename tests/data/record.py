#!/usr/bin/env python3
"""Records the byte streams in tests/data/*.bin that the emulator tests replay.

Each stream is what a real program wrote to a real 80x24 PTY (TERM=xterm-256color,
LANG=C.UTF-8), driven by scripted keystrokes. Run it again to refresh the corpus:

    python3 tests/data/record.py            # all
    python3 tests/data/record.py vim top    # some

Needs bash, coreutils, vim, less and procps (top). The output is committed, so
the tests themselves need none of these programs. The newer scenarios (see
JAILED) must run as root, since each runs in its own mount and UTS namespace
(util-linux unshare and setpriv), and also need: htop, mc, dialog, whiptail,
ncdu, git, tig, nano, emacs-nox, man-db, tmux, watch (procps), tabs
(ncurses-bin), python3 and vttest. On Debian:

    apt-get install -y --no-install-recommends htop mc dialog whiptail ncdu git \
        tig nano emacs-nox man-db tmux vttest python3
"""
import fcntl
import os
import pty
import select
import shutil
import signal
import struct
import subprocess
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


def keys(data, out):
    """Bytes a terminal would send for `data`: like xterm, the cursor keys (written
    here as ESC [ A..D, H, F) become ESC O A..D, H, F while the program has set
    application cursor keys (DECCKM, ESC [ ? 1 h)."""
    data = data if isinstance(data, bytes) else data.encode()
    if out.rfind(b"\x1b[?1h") > out.rfind(b"\x1b[?1l"):
        for k in b"ABCDHF":
            data = data.replace(b"\x1b[" + bytes([k]), b"\x1bO" + bytes([k]))
    return data


def record(name, argv, steps=(), cwd=None, env_extra=None, kill_at_end=False, start_limit=10.0):
    env = {"TERM": "xterm-256color", "LANG": "C.UTF-8", "HOME": cwd or "/tmp",
           "PATH": "/usr/local/bin:/usr/bin:/bin", "COLUMNS": str(COLS), "LINES": str(ROWS)}
    env.update(env_extra or {})
    pid, fd = spawn(argv, cwd or "/tmp", env)
    out = bytearray()
    read_for(fd, out, limit=start_limit)
    sent = 0  # where the output stood when keys were last typed
    for step in steps:
        if isinstance(step, tuple) and step[0] == "wait":
            # Until step[1] has arrived since the last keys were typed (10 s at most).
            deadline = time.monotonic() + 10.0
            while step[1] not in out[sent:] and time.monotonic() < deadline:
                if not read_for(fd, out, until=step[1], limit=0.1):
                    break
        elif isinstance(step, tuple) and step[0] == "for":
            # Read whatever arrives for step[1] s (for programs that redraw on a timer).
            read_for(fd, out, idle=step[1], limit=step[1])
        elif isinstance(step, tuple) and step[0] == "send":
            # ("send", keys, s): type keys, then read for s.
            os.write(fd, keys(step[1], out))
            sent = len(out)
            read_for(fd, out, idle=step[2], limit=step[2])
        else:
            os.write(fd, keys(step, out))
            sent = len(out)
            read_for(fd, out)
    if kill_at_end:
        os.kill(pid, signal.SIGKILL)
    else:
        give_up = time.monotonic() + 60.0
        while read_for(fd, out, idle=5.0, limit=15.0):
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                break
            if done:
                break
            if time.monotonic() > give_up:
                print(f"{name}: still running after its steps, killed", file=sys.stderr)
                os.kill(pid, signal.SIGKILL)
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


# The scenarios below run in a private mount and UTS namespace (unshare, as
# root): the hostname is "recorder" and a copy of the scenario's fresh temp
# directory sits on a small tmpfs at /home/demo, which is both HOME and the
# working directory, so no path, host or user name, nor the disk size, of the
# recording machine gets into the bytes.
DEMO = "/home/demo"
JAIL = ('hostname recorder && mount -t tmpfs -o size=16m,mode=755 tmpfs /home && '
        'mkdir ' + DEMO + ' && cp -a "$1/." ' + DEMO + ' && cd "' + DEMO + '/$2" && '
        'shift 2 && exec "$@"')
FIXED_TIME = 1704189600  # 2024-01-02 10:00 UTC: the mtime of every file set up


def fix_times(d):
    for top, dirs, files in os.walk(d):
        for n in dirs + files:
            os.utime(os.path.join(top, n), (FIXED_TIME, FIXED_TIME), follow_symlinks=False)
    os.utime(d, (FIXED_TIME, FIXED_TIME))


GIT_ENV = {"GIT_AUTHOR_NAME": "Demo User", "GIT_AUTHOR_EMAIL": "demo@example.com",
           "GIT_COMMITTER_NAME": "Demo User", "GIT_COMMITTER_EMAIL": "demo@example.com",
           "GIT_CONFIG_NOSYSTEM": "1", "TZ": "UTC"}
NOBODY_SLEEP = "setpriv --reuid=nobody --regid=nogroup --clear-groups sleep 60 & p=$!; "


def jailed(name, root, argv, steps=(), sub=".", env_extra=None, setup=None, **kw):
    """record() in a fresh directory of its own, seen as /home/demo (see JAIL)."""
    d = os.path.join(root, name)
    os.makedirs(d)
    if setup:
        setup(d)
    fix_times(d)
    env = {"HOME": DEMO, "TZ": "UTC", "PS1": "$ "}
    env.update(env_extra or {})
    record(name, ["unshare", "-mu", "sh", "-c", JAIL, "jail", d, sub] + list(argv),
           steps=steps, cwd=d, env_extra=env, **kw)


def write(d, rel, text, mode=None):
    path = os.path.join(d, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    if mode is not None:
        os.chmod(path, mode)


def long_text(d, rel="long.txt", n=500):
    write(d, rel, "".join(f"line {i}: the quick brown fox jumps over the lazy dog {i * 7}\n"
                          for i in range(1, n + 1)))


C_SOURCE = r"""#include <stdio.h>
#include <stdlib.h>

/* A small program to look at with syntax colours. */
struct point {
  int x, y;
};

static int manhattan(struct point a, struct point b) {
  return abs(a.x - b.x) + abs(a.y - b.y);
}

int main(int argc, char **argv) {
  struct point p = {1, 2}, q = {4, -6};
  const char *name = argc > 1 ? argv[1] : "world";
  for (int i = 0; i < 3; i++)
    printf("hello, %s #%d: %d\n", name, i, manhattan(p, q) * i);
  return EXIT_SUCCESS;
}
"""


def sample_tree(d):
    write(d, "docs/README.md", "# Demo\n\nSome text.\n" * 20)
    write(d, "docs/guide.txt", "guide line\n" * 300)
    write(d, "src/main.c", C_SOURCE)
    write(d, "src/util.c", "int util(void) { return 42; }\n" * 50)
    write(d, "src/include/util.h", "int util(void);\n")
    write(d, "data/big.bin", "0123456789abcdef" * 8192)
    write(d, "data/small.csv", "a,b,c\n1,2,3\n" * 40)
    write(d, "build.sh", "#!/bin/sh\necho building\n", 0o755)
    write(d, "notes.txt", "remember the milk\n")
    os.symlink("docs/README.md", os.path.join(d, "readme-link"))


def git_repo(d):
    def git(*args, date=None):
        env = dict(os.environ, **GIT_ENV, HOME=d)
        if date:
            env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
        subprocess.run(["git", *args], cwd=d, env=env, check=True, stdout=subprocess.DEVNULL)
    os.makedirs(d, exist_ok=True)
    git("init", "-q", "-b", "main")
    write(d, "hello.c", C_SOURCE)
    git("add", ".")
    git("commit", "-q", "-m", "Add hello.c", date="2024-01-02T10:00:00Z")
    write(d, "README.md", "# hello\n\nPrints a greeting.\n")
    git("add", ".")
    git("commit", "-q", "-m", "Add a README", date="2024-01-03T11:30:00Z")
    git("checkout", "-q", "-b", "feature")
    write(d, "hello.c", C_SOURCE.replace('"world"', '"feature world"').replace("i < 3", "i < 5"))
    git("commit", "-q", "-am", "Greet five times", date="2024-01-04T09:15:00Z")
    write(d, "NOTES", "feature notes\n")
    git("add", ".")
    git("commit", "-q", "-m", "Add notes for the feature", date="2024-01-05T16:45:00Z")
    git("checkout", "-q", "main")
    write(d, "README.md", "# hello\n\nPrints a friendly greeting, three times.\n\nBuild: cc hello.c\n")
    git("commit", "-q", "-am", "Explain how to build", date="2024-01-06T08:00:00Z")
    git("merge", "-q", "--no-ff", "-m", "Merge branch 'feature'", "feature",
        date="2024-01-07T12:00:00Z")
    git("tag", "v1.0")


def rec_htop(root):
    jailed("htop", root, ["sh", "-c", NOBODY_SLEEP + "htop -d 5 -p $p; kill $p"],
           start_limit=0.5,
           steps=[("for", 2.0), ("send", "\x1bOQ", 1.2), ("send", "\x1b[B\x1b[B", 0.8),
                  ("send", "\x1b[21~", 1.0), ("send", "t", 1.0), ("send", "h", 1.0),
                  ("send", "q", 1.0), ("send", "q", 0.5)])


def rec_mc(root):
    # As nobody (owning the copy in the jail): mc puts user@host in its title.
    jailed("mc", root, ["sh", "-c", "chown -R nobody:nogroup " + DEMO + " && exec setpriv "
                        "--reuid=nobody --regid=nogroup --clear-groups mc -u"], sub="files",
           setup=lambda d: sample_tree(os.path.join(d, "files")),
           steps=[("wait", b"Quit"), "\x1b[B\x1b[B", "\r", "\x1b[B", "\x1bOR", "\x1b[6~", "q",
                  "\t", "\x1b[B\x1b[B\x1b[B", "\r", "\x1b[B\x1b[B", "\x1b[20~", "\x1b[C",
                  "\x1b[B", "\x1b\x1b", "\x1b[21~"])


DIALOG = r"""
dialog --title "Fruit" --menu "Choose a fruit:" 15 50 6 a Apple b Banana c Cherry d Date \
  e Elderberry f Fig g Grape 2>choice
echo "menu: $(cat choice)"
dialog --title "Pizza" --checklist "Toppings:" 14 50 5 1 Cheese on 2 Ham off 3 Pineapple off \
  4 Olives off 5 Basil off 2>choice
echo "checklist: $(cat choice)"
"""


def rec_dialog(root):
    jailed("dialog", root, sh(DIALOG),
           steps=[("wait", b"Grape"), "\x1b[B", "\x1b[B", "\x1b[B\x1b[B\x1b[B\x1b[B", "\x1b[A",
                  "\r", ("wait", b"Basil"), " ", "\x1b[B", "\x1b[B", " ", "\x1b[B\x1b[B", " ",
                  "\r"])


WHIPTAIL = r"""
for i in 0 10 25 40 55 70 85 100; do echo $i; sleep 0.1; done |
  whiptail --title "Progress" --gauge "Copying files..." 7 60 0
whiptail --title "Question" --yesno "Continue with the next step?" 8 40; echo "yesno: $?"
whiptail --title "Done" --msgbox "All files copied." 8 40
"""


def rec_whiptail(root):
    jailed("whiptail", root, sh(WHIPTAIL),
           steps=[("wait", b"next step"), "\t", "\r", ("wait", b"copied"), "\r"])


def rec_ncdu(root):
    jailed("ncdu", root, ["ncdu", "tree"], setup=lambda d: sample_tree(os.path.join(d, "tree")),
           steps=[("wait", b"ncdu"), "j", "j", "\r", "j", "h", "n", "s", "?", "q", "i", "q", "q"])


def rec_tig(root):
    jailed("tig", root, ["tig", "--all"], sub="repo", env_extra=GIT_ENV,
           setup=lambda d: git_repo(os.path.join(d, "repo")),
           steps=[("wait", b"Add hello.c"), "j", "j", "\r", ("for", 0.8), "j", "j", "j",
                  "q", "k", "q"])


def rec_git_log_less(root):
    jailed("git_log_less", root,
           sh("git log --graph --decorate --stat --color=always --all | less -R"),
           sub="repo", env_extra=GIT_ENV, setup=lambda d: git_repo(os.path.join(d, "repo")),
           steps=[("wait", b":"), " ", "/README\r", "n", "g", "q"])


GIT_DIFF = r"""
sed -i 's/friendly greeting/warm greeting/; s/three times/3 times/' README.md
sed -i 's/hello, %s/hi there, %s/; s/EXIT_SUCCESS/0/' hello.c
printf 'new line at the end\n' >> hello.c
git --no-pager diff --color=always --word-diff=color
git --no-pager diff --color=always --stat
git --no-pager diff --color=always hello.c
git --no-pager log --color=always --oneline --decorate --graph
"""


def rec_git_word_diff(root):
    jailed("git_word_diff", root, sh(GIT_DIFF), sub="repo", env_extra=GIT_ENV,
           setup=lambda d: git_repo(os.path.join(d, "repo")))


def rec_nano(root):
    jailed("nano", root, ["nano", "notes.txt"],
           steps=[("wait", b"notes.txt"), "Shopping list\r", "- milk\r- eggs\r- bread\r",
                  "\x1b[A\x1b[A\x1b[C\x1b[C", "fresh ", "\x1b[B\x1b[B\x1b[B", "Done.\r",
                  "\x0f", ("wait", b"Write"), "\r", ("wait", b"Wrote"), "\x0b", "\x15",
                  "\x07", ("for", 0.5), "\x18", "\x18", ("wait", b"Save"), "n"])


def rec_emacs(root):
    jailed("emacs", root, ["emacs", "-nw", "-Q", "notes.txt"],
           steps=[("wait", b"(New file)"), ("for", 2.5), "Hello from emacs.\r",
                  "A second line, typed slowly enough.\r", "\x18" "2", ("for", 0.5),
                  "\x18o", "\x1b<", "Top: ", "\x18" "3", ("for", 0.5), "\x18" "1",
                  "\x18\x13", ("wait", b"Wrote"), "\x18\x03"])


def rec_vim_splits(root):
    jailed("vim_splits", root,
           ["vim", "-u", "NONE", "-N", "-i", "NONE", "-n", "-c", "set termguicolors",
            "-c", "syntax on", "-c", "colorscheme habamax", "-c", "set laststatus=2 ruler",
            "hello.c"],
           setup=lambda d: write(d, "hello.c", C_SOURCE),
           steps=[":vsplit\r", ":split\r", "\x17w", "12G", ":set number cursorline\r",
                  "\x17w", "G", "oint unused = 0x1F;  // comment\x1b", "\x17=",
                  ":colorscheme lunaperche\r",
                  ":qa!\r"])


def rec_vim_scroll(root):
    jailed("vim_scroll", root,
           ["vim", "-u", "NONE", "-N", "-i", "NONE", "-n", "-c", "set number ruler", "long.txt"],
           setup=long_text,
           steps=["\x06", "\x06", "\x04", "\x05\x05\x05", "\x19\x19", "\x02", "200G", "zt",
                  "/fox jumps over the lazy dog 2100\r", "10j", "\x0c", "G", "gg", ":q\r"])


def rec_less_search(root):
    jailed("less_search", root, ["less", "-N", "long.txt"], setup=long_text,
           steps=["/lazy dog 7[0-9][0-9]$\r", "n", "n", "N", "?line 3[0-9]:\r", "n", "\x1bu",
                  "&line 4.0:\r", "&\r", "50%", "q"])


def rec_man_ls(root):
    jailed("man_ls", root, ["man", "ls"], env_extra={"MANPAGER": "less", "MANWIDTH": "80"},
           steps=[("wait", b"Manual page"), " ", "/sort\r", "n", "n", "G", "g", "q"])


def rec_ls_hyperlink(root):
    def setup(d):
        varied = varied_dir(d)
        write(varied, "subdir/inner.txt", "x\n")
    jailed("ls_hyperlink", root,
           sh("ls --hyperlink=always --color=always; ls --hyperlink=always --color=always -go "
              "--time-style=+ varied; ls --hyperlink=always --color=always -R varied/subdir"),
           setup=setup)


TABS = r"""
printf 'default:\n1\t2\t3\t4\t5\t6\t7\t8\t9\t10\t11\n'
printf '\e[3g'
printf '\r\e[5C\eH\e[8C\eH\e[12C\eH\e[20C\eH\r'
printf 'custom stops (6 15 28 49):\n'
printf 'x\ty\tz\tw\tend\nname\tsize\tdate\tnote\n'
printf 'cht:\e[2Ix cbt:\e[2Zy\n'
printf '\e[15G\e[0g\rcleared 15:\tA\tB\tC\n'
printf '\e[3g\rno stops:\tright margin\n'
tabs 4; printf 'tabs 4:\na\tb\tc\td\te\n'
tabs 1,10,20,40; printf 'tabs 1,10,20,40:\ncol1\tcol10\tcol20\tcol40\n'
tabs -8; printf 'back to 8:\na\tb\tc\n'
tabs 1,6,20,34,50,66
printf 'id\tname\tstatus\tsize\tnote\n'
for i in $(seq 1 15); do
  printf '%s\titem-%s\t\e[3%sm%s\e[0m\t%s\t%s\n' $i $i $((i % 7 + 1)) state$((i % 3)) $((i * 1031)) \
    "$(printf 'x%.0s' $(seq 1 $i))"
done
tabs -8
"""


def rec_tabstops(root):
    jailed("tabstops", root, sh(TABS))


def rec_bash_wrap(root):
    long_cmd = "echo " + " ".join(f"word{i:02d}" for i in range(1, 31))
    jailed("bash_wrap", root, ["bash", "--norc", "--noprofile", "-i"],
           steps=[("wait", b"$ "), long_cmd + "\r", "seq -s ' ' 1 70\r",
                  "printf '%0200d\\n' 0\r",
                  "echo " + "abcdefghij" * 17, "\x1b[D" * 90, "INSERTED", "\x01",
                  "\x1b[C" * 5, "[start] ", "\x05", " [end]", "\r",
                  "\x1b[A", "\x1b[D" * 100, "\x0b", "\x17", "\r",
                  "\x1b[A\x1b[A", "\x01\x1b[C\x1b[C\x1b[C\x1b[C\x1b[C\x1bf\x1bf", "\r",
                  "exit\r"])


def rec_seq_long(root):
    jailed("seq_long", root, ["seq", "1", "6000"])


def rec_watch(root):
    jailed("watch", root,
           ["watch", "-n", "0.2", "-d",
            "date +%T.%N | cut -c1-10; for i in $(seq 1 12); do "
            "echo \"row $i: $(date +%N | cut -c1-4) $(seq -s ' ' $i $((i + 8)))\"; done"],
           start_limit=0.5, steps=[("for", 1.5), ("send", "\x03", 0.5)])


TMUX_CONF = """set -g default-command 'exec env PS1="$ " bash --norc --noprofile'
set -g status-right "demo"
set -g escape-time 0
"""


def rec_tmux(root):
    jailed("tmux", root, ["tmux", "-f", "tmux.conf", "new-session"],
           env_extra={"TMUX_TMPDIR": DEMO},
           setup=lambda d: write(d, "tmux.conf", TMUX_CONF),
           steps=[("wait", b"$"), ("for", 0.5), "echo hello from tmux; seq 1 5\r", "\x02%",
                  ("for", 0.8), "printf '\\e[1;31mred\\e[0m right pane\\n'; ls\r",
                  "\x02o", "for i in $(seq 1 30); do echo left $i; done\r", "\x02o",
                  "exit\r", ("for", 0.5), "exit\r"])


def rec_python_repl(root):
    jailed("python_repl", root, ["python3", "-q"],
           steps=[("wait", b">>> "), "1 + 1\r", "for i in range(4):\r", "    print(i, '*' * i)\r",
                  "\r", "[x ** 2 for x in range(40)]\r",
                  "print('\\x1b[1;35mcolour\\x1b[0m', 'caf\\u00e9', '\\u4e2d\\u6587')\r",
                  "import math\r", "math.fa\t\t", "ctorial(20)\r", "1/0\r",
                  "print('\\n'.join(f'{i:3} {i * i:5} {2 ** i:>12}' for i in range(1, 25)))\r",
                  "import this\r", "{str(k): list(range(k)) for k in range(8)}\r", "\x04"])


def rec_top_color(root):
    jailed("top_color", root, ["sh", "-c", NOBODY_SLEEP + "top -d 0.5 -p $p; kill $p"],
           start_limit=0.5,
           steps=[("for", 1.2), ("send", "z", 1.2), ("send", "x", 1.0), ("send", "b", 1.0),
                  ("send", "1", 1.0), ("send", "q", 0.5)])


def rec_vttest(root):
    jailed("vttest", root, ["vttest"],
           # vttest asks for the device attributes first: answer as a VT100 with AVO.
           # Test 1 (cursor movements) is six screens, each waiting for Return.
           steps=["\x1b[?1;2c", ("wait", b"Enter choice number"), "1\r"]
           + [("wait", b"RETURN"), "\r"] * 6 + [("wait", b"Enter choice number"), "0\r"])


JAILED = {f.__name__[4:]: f for f in [
    rec_htop, rec_mc, rec_dialog, rec_whiptail, rec_ncdu, rec_tig, rec_git_log_less,
    rec_git_word_diff, rec_nano, rec_emacs, rec_vim_splits, rec_vim_scroll, rec_less_search,
    rec_man_ls, rec_ls_hyperlink, rec_tabstops, rec_bash_wrap, rec_seq_long, rec_watch,
    rec_tmux, rec_python_repl, rec_top_color, rec_vttest]}


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
        for name, rec in JAILED.items():
            jobs[name] = lambda rec=rec: rec(root)
        for name, job in jobs.items():
            if not want or name in want:
                job()
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
