#!/usr/bin/env python3
"""Startup benchmark: time from exec to the REPL prompt on a pseudo-terminal,
and the whole process time of `ember run` on an empty script. Prints the
median and min/max of N runs (default 30). Not a test: figures only.

    python3 bench/startup.py [build/ember] [runs]
"""
import os
import pty
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import termios
import time

ember = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/ember")
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 30


def to_prompt():
    """Seconds from fork to the first 'ember>' on the terminal."""
    state = tempfile.mkdtemp()
    t0 = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["XDG_STATE_HOME"] = state
        os.environ["NO_COLOR"] = "1"
        os.execv(ember, [ember])
    seen = b""
    elapsed = None
    while elapsed is None:
        r, _, _ = select.select([fd], [], [], 5)
        if not r:
            break
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        seen += chunk
        if b"ember>" in seen:
            elapsed = time.perf_counter() - t0
    quit_repl(pid, fd)
    os.close(fd)
    return elapsed


def quit_repl(pid, fd):
    """Ctrl-D, once the line editor has the terminal. libedit prints the
    prompt before it leaves canonical mode, and a Ctrl-D that arrives in
    between is turned into a NUL by the kernel's line discipline: the REPL
    then keeps waiting (seen once in ~100 runs on a busy machine). So wait
    for the switch; and never wait forever: resend, then kill."""
    deadline = time.perf_counter() + 2
    while time.perf_counter() < deadline and termios.tcgetattr(fd)[3] & termios.ICANON:
        time.sleep(0.0005)
    for _ in range(3):
        os.write(fd, b"\x04")
        for _ in range(100):
            if os.waitpid(pid, os.WNOHANG)[0]:
                return
            drain(fd)
            time.sleep(0.01)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def drain(fd):
    """Reads what the REPL printed, so that it never blocks on a full pty."""
    try:
        while select.select([fd], [], [], 0)[0] and os.read(fd, 4096):
            pass
    except OSError:
        pass


def run_empty(path):
    t0 = time.perf_counter()
    subprocess.run([ember, "run", path], check=True)
    return time.perf_counter() - t0


def report(name, samples):
    ms = sorted(s * 1e3 for s in samples if s is not None)
    print(f"{name:32s} median {statistics.median(ms):7.1f} ms   min {ms[0]:6.1f}   max {ms[-1]:6.1f}   (n={len(ms)})")


with tempfile.NamedTemporaryFile("w", suffix=".lua") as empty:
    report("REPL: exec to prompt (pty)", [to_prompt() for _ in range(runs)])
    report("ember run empty.lua (process)", [run_empty(empty.name) for _ in range(runs)])
