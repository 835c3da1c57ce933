"""Background jobs: at most N simulations at once, one per browser session, the rest in line.

Dash's `DiskcacheManager` forks a process for every background callback and never says no:
ten people pressing Run at once made ten processes (and 13.8 GB, issue 12). `JobManager`
keeps Dash's way of running a job (a forked process writes progress and result to the disk
cache, and the page polls for them) and puts a bound in front of it:

- at most `max_jobs` job processes run at once: 2 unless `eachcustomer dashboard
  --max-jobs N` or the environment variable EACHCUSTOMER_MAX_JOBS says otherwise;
- one job per browser session: every background callback receives the tab's session id
  (State "session"), and a session's new job cancels its old one, running or waiting;
- a job beyond the bound waits in line, without a process, and starts by itself when a
  slot frees; the page's notice says how many are ahead. At most `max_waiting` wait; a
  Run beyond that is refused with a message;
- a slot is free as soon as its process has ended, however it ended (done, cancelled,
  crashed, killed): this process starts and reaps every job process itself, so no count
  can leak. A job whose page has stopped polling for ABANDONED_AFTER_SECONDS (a closed tab)
  is cancelled; a job that died without a result says so on its page.

Job processes run at a lower CPU priority, so that the server answers pages first, and end
with the server. The job table lives in the server process: `eachcustomer dashboard` serves
from one process, and the bounds hold per server process.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import psutil
from dash import DiskcacheManager
from multiprocess import Process  # what Dash's own manager forks with

DEFAULT_MAX_JOBS = 2
"""Simulations at once when nothing else is said: one per core of a small server."""
MAX_JOBS_VARIABLE = "EACHCUSTOMER_MAX_JOBS"
MAX_WAITING = 20
"""Jobs that may wait for a slot; a Run beyond that is refused with a message."""
ABANDONED_AFTER_SECONDS = 120.0
"""A job not polled for this long has no page left to show it (browsers poll a hidden
tab at least once a minute)."""
JOB_NICENESS = 5
PR_SET_PDEATHSIG = 1
"""prctl(2): the signal a process gets when its parent ends."""
NOTICE_ID = "job-notice"
"""The element of the app's layout where waiting, refusals and crashes are told."""


MAX_MAX_JOBS = 64
"""The most simulations at once `--max-jobs` or EACHCUSTOMER_MAX_JOBS may ask for."""


class JobsSettingError(ValueError):
    """A bound on background jobs that cannot be used; the message names the setting."""


def max_jobs_setting(value: int | None = None, environ: Mapping[str, str] = os.environ) -> int:
    """The bound on simulations at once: `value`, else EACHCUSTOMER_MAX_JOBS, else 2."""
    source = "--max-jobs"
    if value is None:
        text = environ.get(MAX_JOBS_VARIABLE, "").strip()
        if not text:
            return DEFAULT_MAX_JOBS
        source = MAX_JOBS_VARIABLE
        try:
            value = int(text)
        except ValueError:
            raise JobsSettingError(
                f"{MAX_JOBS_VARIABLE}={text!r} is not a whole number; give how many "
                "simulations the dashboard may run at once (1 or more)"
            ) from None
    if isinstance(value, bool) or value < 1:
        raise JobsSettingError(f"{source} {value} is not a number of jobs: give 1 or more")
    if value > MAX_MAX_JOBS:
        raise JobsSettingError(
            f"{source} {value} is more simulations at once than the dashboard runs (at most "
            f"{MAX_MAX_JOBS}: each takes a core and up to about 1 GB of memory)"
        )
    return int(value)


def session_of(context: Any) -> str | None:
    """The browser session of a background callback: its State "session", when it has one."""
    states = context.get("state_values") if isinstance(context, Mapping) else None
    session = states.get("session.data") if isinstance(states, Mapping) else None
    return session if isinstance(session, str) and 0 < len(session) <= 100 else None


def run_niced(job_fn: Callable[..., Any], *args: Any) -> None:
    """The body of a job process: Dash's job function at a lower CPU priority, in a process
    that ends with the server and does not keep its port."""
    server = os.getppid()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # Linux
    if os.getppid() != server:
        return  # the server ended before the line above
    with contextlib.suppress(psutil.Error):
        for connection in psutil.Process().net_connections("inet"):
            if connection.status == psutil.CONN_LISTEN and connection.fd >= 0:
                os.close(connection.fd)  # the server's own socket stays open in the server
    with contextlib.suppress(OSError):
        os.nice(JOB_NICENESS)
    job_fn(*args)


def alive(process: Any) -> bool:
    """Whether a job process still runs; an ended one is reaped here (no zombie left).

    `is_alive` reaps through `waitpid`; should anything else have reaped the process first,
    `is_alive` would say True for ever, so the pid's existence is checked as well.
    """
    return bool(process.is_alive()) and psutil.pid_exists(process.pid)


def waiting_message(ahead: int, max_jobs: int) -> str:
    runs = "simulation" if max_jobs == 1 else "simulations"
    queue = "yours is next" if ahead == 0 else f"{ahead} ahead of yours"
    return (
        f"Waiting for a free slot: the server runs {max_jobs} {runs} at once; {queue}. "
        "It starts by itself; Cancel (or Pause) takes it out of the line."
    )


def refusal_message(max_jobs: int, max_waiting: int) -> str:
    running = "1 simulation is" if max_jobs == 1 else f"{max_jobs} simulations are"
    return (
        f"The server is busy: {running} running and {max_waiting} waiting, as many as it "
        "takes. Please try again in a minute."
    )


def crash_message(exitcode: int | None) -> str:
    how = "was killed" if exitcode is not None and exitcode < 0 else "failed"
    return (
        f"The simulation {how} before it finished (perhaps the server ran out of memory). "
        "Try a smaller organization or a shorter horizon."
    )


@dataclass
class Job:
    """One background callback's job: waiting (no process yet), running, or ended."""

    token: str
    key: str
    session: str | None
    launch: Callable[[], Any]
    seen: float
    process: Any = None
    told: str | None = None
    """The notice its page shows now (a waiting message), None when it shows none."""


class JobManager(DiskcacheManager):
    """Dash's disk-cache manager with a bound on job processes and one job per session.

    Dash hands out `job` tokens to the page and gets them back in `job_running`,
    `terminate_job` and `get_result`; here a token names a `Job`, not a process id.

    Everything the manager does (the job table, every read and write of the disk cache, and
    every fork) happens on one thread of its own, the web server's threads wait for it. A
    process forked while another thread is inside SQLite inherits SQLite's lock held by
    nobody, and hangs on it for ever: with Dash's own manager, one job in thirty did so
    under ten tabs at once.
    """

    def __init__(
        self,
        cache: Any,
        max_jobs: int = DEFAULT_MAX_JOBS,
        max_waiting: int = MAX_WAITING,
        expire: float | None = None,
    ) -> None:
        super().__init__(cache, expire=expire)
        self.max_jobs = max_jobs
        self.max_waiting = max_waiting
        self._owner = ThreadPoolExecutor(1, "eachcustomer-jobs", initializer=self._own)
        self._owner_id: int | None = None
        self._jobs: dict[str, Job] = {}  # insertion order is the order of the line
        self._by_key: dict[str, str] = {}
        self._notices: dict[str, tuple[str, float]] = {}  # key -> (notice, when), next poll

    def _own(self) -> None:
        self._owner_id = threading.get_ident()

    def _serially(self, work: Callable[..., Any], *args: Any) -> Any:
        """`work(*args)` on the manager's thread (at once when already there)."""
        if threading.get_ident() == self._owner_id:
            return work(*args)
        return self._owner.submit(work, *args).result()

    # --- what Dash calls (from the web server's threads) ---------------------------------

    def call_job_fn(self, key: str, job_fn: Any, args: Any, context: Any) -> str:
        return self._serially(self._add, key, job_fn, args, context)

    def job_running(self, job: Any) -> bool:
        return self._serially(self._is_running, str(job))

    def terminate_job(self, job: Any) -> None:
        self._serially(self._terminate, str(job))

    def terminate_unhealthy_job(self, job: Any) -> bool:
        return self._serially(self._terminate_if_ended, str(job))

    def get_result(self, key: str, job: Any) -> Any:
        return self._serially(super().get_result, key, job)

    def get_progress(self, key: str) -> Any:
        return self._serially(super().get_progress, key)

    def result_ready(self, key: str) -> bool:
        return self._serially(super().result_ready, key)

    def clear_cache_entry(self, key: str) -> None:
        self._serially(super().clear_cache_entry, key)

    def get_or_create_signing_secret(self, generate: Callable[[], bytes]) -> Any:
        return self._serially(super().get_or_create_signing_secret, generate)

    def get_updated_props(self, key: str) -> dict[str, Any]:
        return self._serially(self._updated_props, key)

    # --- for the tests and the README's numbers -------------------------------------------

    def counts(self) -> dict[str, int]:
        """How many jobs run (have a live process) and how many wait."""
        return self._serially(self._counts)

    def pids(self) -> list[int]:
        """Process ids of the running jobs, oldest first."""
        return self._serially(self._pids)

    # --- on the manager's thread ------------------------------------------------------------

    def _add(self, key: str, job_fn: Any, args: Any, context: Any) -> str:
        progress_key = self._make_progress_key(key)

        def launch() -> Any:
            process = Process(target=run_niced, args=(job_fn, key, progress_key, args, context))
            process.start()
            return process

        session = session_of(context)
        job = Job(uuid.uuid4().hex, key, session, launch, time.monotonic())
        self._tidy()
        old_jobs = [j for j in self._jobs.values() if session and j.session == session]
        # A new Run of a session waiting in line takes its old job's place.
        place = next((j.token for j in old_jobs if j.process is None), None)
        self._enter(job, before=place)
        for old in old_jobs:
            self._end(old)
        self._start_waiting()
        if job.process is None and self._waiting_count() > self.max_waiting:
            self._leave(job)
            self._tell(key, refusal_message(self.max_jobs, self.max_waiting))
        return job.token

    def _is_running(self, token: str) -> bool:
        entry = self._jobs.get(token)
        if entry is None:
            return False
        entry.seen = time.monotonic()
        self._tidy()
        # An ended process whose result is still to be fetched stays "running" until the
        # page has it: Dash would otherwise drop a result that arrived between its checks.
        return entry.token in self._jobs

    def _terminate(self, token: str) -> None:
        entry = self._jobs.get(token)
        if entry is not None:
            self._end(entry)
            self._start_waiting()

    def _terminate_if_ended(self, token: str) -> bool:
        entry = self._jobs.get(token)
        if entry is None or entry.process is None or alive(entry.process):
            return False
        self._end(entry)
        return True

    def _updated_props(self, key: str) -> dict[str, Any]:
        props = super().get_updated_props(key)
        notice = self._notices.pop(key, (None, 0.0))[0]
        job = self._jobs.get(self._by_key.get(key, ""))
        if notice is None and job is not None:
            notice = self._waiting_notice(job)
        if notice is not None:
            props = {**props, NOTICE_ID: {"children": notice}}
        return props

    def _counts(self) -> dict[str, int]:
        self._tidy()
        return {"running": self._running(), "waiting": self._waiting_count()}

    def _pids(self) -> list[int]:
        return [
            j.process.pid for j in self._jobs.values() if j.process is not None and alive(j.process)
        ]

    # --- the table ----------------------------------------------------------------------

    def _running(self) -> int:
        return sum(j.process is not None and alive(j.process) for j in self._jobs.values())

    def _waiting_count(self) -> int:
        return sum(j.process is None for j in self._jobs.values())

    def _enter(self, job: Job, before: str | None) -> None:
        """Put a job in the table: at the end of the line, or just before job `before`."""
        if before is None:
            self._jobs[job.token] = job
        else:
            order = list(self._jobs.values())
            self._jobs = {}
            for other in order:
                if other.token == before:
                    self._jobs[job.token] = job
                self._jobs[other.token] = other
        self._by_key[job.key] = job.token

    def _leave(self, job: Job) -> None:
        self._jobs.pop(job.token, None)
        if self._by_key.get(job.key) == job.token:
            del self._by_key[job.key]

    def _start_waiting(self) -> None:
        for job in list(self._jobs.values()):
            if self._running() >= self.max_jobs:
                return
            if job.process is None:
                job.process = job.launch()

    def _waiting_notice(self, job: Job) -> str | None:
        """The notice to send to a job's page now, None if it has not changed."""
        if job.process is None:
            line = [token for token, j in self._jobs.items() if j.process is None]
            message: str | None = waiting_message(line.index(job.token), self.max_jobs)
        else:
            message = "" if job.told else None  # started: clear the waiting message
        if message is None or message == job.told:
            return None
        job.told = message or None
        return message

    def _tidy(self) -> None:
        """End abandoned jobs and jobs whose process died without a result; fill free slots."""
        now = time.monotonic()
        for job in list(self._jobs.values()):
            if now - job.seen > ABANDONED_AFTER_SECONDS:
                self._end(job)
            elif job.process is not None and not alive(job.process) and job.key not in self.handle:
                self._tell(job.key, crash_message(job.process.exitcode))
                self._end(job)
        for key, (_, when) in list(self._notices.items()):
            if now - when > ABANDONED_AFTER_SECONDS:
                del self._notices[key]  # its page is gone
        self._start_waiting()

    def _tell(self, key: str, notice: str) -> None:
        self._notices[key] = (notice, time.monotonic())

    def _end(self, job: Job) -> None:
        """Take a job out of the table; kill its process (and anything it started) if alive,
        and drop what it left in the cache (a result nobody fetched stays there otherwise)."""
        self._leave(job)
        if job.told and job.key not in self._notices:
            self._tell(job.key, "")  # clear the waiting message on its page
        process = job.process
        if process is not None:
            if alive(process):
                with contextlib.suppress(psutil.Error):
                    for child in psutil.Process(process.pid).children(recursive=True):
                        with contextlib.suppress(psutil.Error):
                            child.kill()
                process.kill()
            process.join(timeout=5)
            with contextlib.suppress(ValueError):
                process.close()  # its pipe and sentinel; a hung process keeps them
        for entry in (job.key, self._make_progress_key(job.key), self._make_set_props_key(job.key)):
            self.handle.delete(entry)
