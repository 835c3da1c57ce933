"""CPU time of this process and of every process it started, workers included.

Local worker pools fork their workers from a forkserver, a child of this process; the
workers are its children, not ours, so neither `time.process_time` nor
`resource.getrusage(RUSAGE_CHILDREN)` sees them. The forkserver reaps every worker that
ends, so its own CPU time plus its reaped children's (`/proc/PID/stat`, fields 14 to 17)
counts every worker: starting, loading the kernels, computing, idling. Read it after the
pool is shut down and the forkserver has reaped its workers (`wait_for_reaped_children`).
Linux only (it reads /proc).
"""

from __future__ import annotations

import ctypes
import os
import resource
import subprocess
import time
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat from field 3 (state) on, or None if it has ended."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # the name in parentheses may hold spaces


def _children(parent: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields is not None and int(fields[1]) == parent:
                found.append(int(entry))
    return found


def wait_for_reaped_children(timeout_s: float = 10.0) -> None:
    """Wait until no child of ours has a child left (the forkserver reaped its workers)."""
    deadline = time.monotonic() + timeout_s
    while any(_children(child) for child in _children(os.getpid())):
        if time.monotonic() > deadline:
            raise TimeoutError("workers still running after the pool was shut down")
        time.sleep(0.05)


def children_cpu_s() -> float:
    """CPU seconds of our live children (the forkserver) and all they reaped, and of ours reaped.

    Fields 14 to 17 of /proc/PID/stat: utime, stime, cutime, cstime (from field 3 on, the
    indices 11 to 14).
    """
    ticks = 0
    for child in _children(os.getpid()):
        fields = _stat(child)
        if fields is not None:
            ticks += sum(int(value) for value in fields[11:15])
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ticks / TICKS + reaped.ru_utime + reaped.ru_stime


def total_cpu_s() -> float:
    """CPU seconds of this process and of every process it started (see the module)."""
    return time.process_time() + children_cpu_s()


PR_SET_CHILD_SUBREAPER = 36
"""prctl(2) option: orphans among our descendants become our children, so we can reap them."""


def command_cost(
    argv: list[str], cwd: Path | None = None, timeout_s: float = 900.0
) -> tuple[float, float]:
    """Wall and CPU seconds of a command and of every process it started.

    This process becomes a subreaper: a forkserver the command leaves behind when it ends
    comes to us instead of to init, and is reaped here, so the CPU time of the command's
    whole process tree (workers included, which their forkserver reaped) ends up in our
    children's resource usage. Call it from a process with no other child running.
    """
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, cwd=cwd, check=True, stdout=subprocess.DEVNULL, timeout=timeout_s)
    wall = time.perf_counter() - started
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the orphans exit once the command's pipes close
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            time.sleep(0.02)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu
