"""Executors send runs to workers; `run_sweep` streams their results into the store.

An executor maps one function, `execute_chunk(context, tasks)`, over chunks of tasks and
yields each run's (row, series) as chunks finish. A chunk holds replications of one point
of the design (`point_chunks`), which a worker runs together as one batch through
`RunContext.execute_many`, i.e. `eachcustomer.experiments.running.runs.run_batch`. A task is small
(run id, seed, parameter values); the shared `RunContext` goes to each worker once. Seeds are fixed
by the design and a run's numbers do not depend on what it is batched with, so results do
not depend on the executor, the number of workers, the chunk size or the order in which
runs finish.

- `SerialExecutor`: in this process, one batch of a point's replications after the other.
- `ProcessExecutor`: a local pool of processes (forkserver), the default; it runs in this
  process until the pool pays for its start (`ProcessExecutor.pool_pays`), then keeps the
  pool for every later call until closed.
- `DaskExecutor`: a `dask.distributed` cluster: a `LocalCluster`, or any scheduler address
  (HPC through dask-jobqueue, Kubernetes); workers need eachcustomer installed.

Only a bounded number of chunks is in flight at any time and results go to disk as they
arrive, so memory stays flat however many runs a sweep has.
"""

from __future__ import annotations

import hashlib
import itertools
import multiprocessing
import os
import pickle
import re
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from eachcustomer.experiments.loading.folders import SWEEP, claim_folder
from eachcustomer.experiments.loading.sweeps import Sweep
from eachcustomer.experiments.running.runs import BATCH_SIZE
from eachcustomer.experiments.running.store import ResultStore
from eachcustomer.experiments.running.sweep_runs import LongSeries, RunContext
from eachcustomer.experiments.running.watchdog import end_with_parent
from eachcustomer.extras import require

Task = dict[str, Any]
Output = tuple[dict[str, Any], "LongSeries | None"]
CHUNKS_PER_WORKER = 2
"""Chunks in flight per worker: one running, one queued, so no worker waits for the next."""


def execute_chunk(context: RunContext, tasks: list[Task]) -> list[Output]:
    """Run a chunk of tasks (as batches); what every executor calls on a worker.

    Each run's `elapsed_s` is its share of the chunk's time.
    """
    start = time.perf_counter()
    outputs = context.execute_many(tasks)
    share = (time.perf_counter() - start) / max(len(outputs), 1)
    for row, _ in outputs:
        row["elapsed_s"] = share
    return outputs


def _point(task: Task) -> tuple[Any, ...]:
    """What a batch shares: the point and every value but the plan, its budget, prices and
    strengths."""
    values = task["values"]
    plan_levers = ("plan", "budget", "price_multiplier", "strength_multiplier")
    kept = (v for k, v in values.items() if k not in plan_levers)
    return (task["point"], *kept)


class PointChunks:
    """Lists of up to `size` consecutive tasks of one point (one batch each), drawn lazily.

    `size` may change between chunks: a `ProcessExecutor` makes large batches while it runs
    them itself and smaller ones, to share among its workers, once its pool has started.
    """

    def __init__(self, tasks: Iterable[Task], size: int) -> None:
        self.tasks = iter(tasks)
        self.size = size
        self.next_point: Task | None = None  # drawn, but the first of the next chunk

    def __iter__(self) -> Iterator[list[Task]]:
        return self

    def __next__(self) -> list[Task]:
        chunk = [] if self.next_point is None else [self.next_point]
        self.next_point = None
        while len(chunk) < self.size:  # checked first: no task is drawn before it is needed
            task = next(self.tasks, None)
            if task is None:
                break
            if chunk and _point(task) != _point(chunk[0]):
                self.next_point = task
                break
            chunk.append(task)
        if not chunk:
            raise StopIteration
        return chunk


def point_chunks(tasks: Iterable[Task], size: int) -> Iterator[list[Task]]:
    """Lists of up to `size` consecutive tasks of one point (one batch each), drawn lazily."""
    return PointChunks(tasks, size)


def auto_chunk_size(count: int, workers: int) -> int:
    """Batches as large as `BATCH_SIZE` when there are runs enough to keep every worker busy.

    A batch of more replications costs less per run
    (eachcustomer.experiments.running.runs.BATCH_SIZE); at least four chunks per worker keep the
    load balanced to the end.
    """
    return max(1, min(BATCH_SIZE, count // (workers * 4)))


class SerialExecutor:
    """Every run in this process, in design order."""

    workers = 1

    def map(self, context: RunContext, tasks: Iterable[Task], count: int) -> Iterator[Output]:
        for chunk in point_chunks(tasks, BATCH_SIZE):
            yield from execute_chunk(context, chunk)

    def close(self) -> None:
        """Nothing to release."""


# --- local processes --------------------------------------------------------------------------

POOL_START_S = 2.5
"""CPU seconds it takes to start a local pool: its forkserver imports the model and loads
every kernel once (`eachcustomer.experiments.running.worker_preload`), then forks the
workers; measured at 2.0 to 2.3 s for 2 workers (benchmarks/RESULTS.md, "Issue 22"), rounded up
for what sending the work to workers costs. On an idle machine wall time is about the same."""

_first_context: tuple[str, Any] | None = None
"""(digest, context) this worker's pool started with."""
_latest_context: tuple[str, Any] | None = None
"""(digest, context) of the latest other context this worker ran."""


def _start_worker(main: int, digest: str, context: bytes) -> None:
    global _first_context  # one per worker process, set once
    _first_context = (digest, pickle.loads(context))
    end_with_parent(main)  # a killed sweep leaves no worker behind
    # Ctrl-C goes to the whole process group; only the parent decides what to do with it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _execute_in_worker(digest: str, context: bytes, tasks: list[Task]) -> list[Output]:
    """Run a chunk with the context of that digest.

    The pool's first context went to each worker when it started; another comes pickled
    with every chunk (`context`, empty for the first) and is unpickled once per worker, so
    a later `map` call with a new context (a search's next generation) needs no new pool.
    """
    global _latest_context  # replaced when a later call brings another context
    if _first_context is not None and _first_context[0] == digest:
        return execute_chunk(_first_context[1], tasks)
    if _latest_context is None or _latest_context[0] != digest:
        _latest_context = (digest, pickle.loads(context))
    return execute_chunk(_latest_context[1], tasks)


class ProcessExecutor:
    """A pool of local worker processes, forked from a forkserver (spawned on Windows).

    The pool starts only when it pays: runs are made in this process, in batches of
    `BATCH_SIZE`, until the work ahead, estimated from the seconds per run measured so far,
    would take longer than starting the pool and sharing that work among `workers` saves
    (`pool_pays`). A small sweep so never waits for workers to start, and a large one loses
    nothing, since what ran here is done. Once started, the pool serves every later `map`
    call until `close()`: a plan search starts its workers once, not once a generation.
    Results do not depend on where a run was made (`eachcustomer.experiments.running.runs`).

    Args:
        workers: worker processes of the pool; all cores when None.
        chunk_size: runs per chunk sent to a worker; `auto_chunk_size` when None.
        start: "when_it_pays" (the default), or "at_once" to start the pool at the first
            `map` call whatever the work (benchmarks compare pools that way).

    Attributes:
        pools_started: pools this executor has started so far (0 if every run was made here).
    """

    def __init__(
        self, workers: int | None = None, chunk_size: int | None = None, start: str = "when_it_pays"
    ) -> None:
        if start not in ("when_it_pays", "at_once"):
            raise ValueError(f"start must be 'when_it_pays' or 'at_once', not {start!r}")
        self.workers = workers or os.cpu_count() or 1
        self.chunk_size = chunk_size
        self.start = start
        self.pool: ProcessPoolExecutor | None = None
        self.pools_started = 0
        self.first_digest = ""
        self.tasks_here = 0
        self.seconds_here = 0.0
        """Tasks run in this process, and the CPU seconds they took: the measure of a task.
        CPU time, not wall time, so that other jobs on the machine do not sway the choice."""

    def pool_pays(self, tasks_ahead: int, seconds_before: float) -> bool:
        """Whether starting the pool now saves time over running the tasks ahead here.

        The work ahead is the tasks left in this call (runs of a sweep, candidate plans of a
        search) at the CPU seconds per task measured here so far, plus, as a forecast of
        the calls to come, the `seconds_before` spent here in earlier calls (a search that
        has needed many calls will likely need as many more). On W workers it takes 1/W of
        that, plus `POOL_START_S`: the pool pays once the work ahead exceeds
        POOL_START_S * W / (W - 1) (5 s on 2 workers); never for one worker.
        """
        if self.start == "at_once":
            return True
        if self.workers < 2 or self.tasks_here == 0:
            return False
        ahead = tasks_ahead * self.seconds_here / self.tasks_here + seconds_before
        return ahead > POOL_START_S * self.workers / (self.workers - 1)

    def map(self, context: RunContext, tasks: Iterable[Task], count: int) -> Iterator[Output]:
        size = self.chunk_size or auto_chunk_size(count, self.workers)
        chunks = PointChunks(tasks, size)
        if self.pool is None:
            chunks.size = BATCH_SIZE  # here, the larger the batch the cheaper a run
            seconds_before, done = self.seconds_here, 0
            while not self.pool_pays(count - done, seconds_before):
                chunk = next(chunks, None)
                if chunk is None:
                    return
                started = time.process_time()
                outputs = execute_chunk(context, chunk)
                self.seconds_here += time.process_time() - started
                self.tasks_here += len(chunk)
                done += len(chunk)
                yield from outputs
            chunks.size = size
        payload = pickle.dumps(context)
        digest = hashlib.sha256(payload).hexdigest()
        pool = self._pool(digest, payload)
        shipped = b"" if digest == self.first_digest else payload
        yield from _bounded(
            lambda chunk: pool.submit(_execute_in_worker, digest, shipped, chunk),
            chunks,
            self.workers * CHUNKS_PER_WORKER,
            lambda futures: wait(futures, return_when=FIRST_COMPLETED)[0],
        )

    def _pool(self, digest: str, context: bytes) -> ProcessPoolExecutor:
        """The pool, started (with this context) at the first call that needs it and kept
        until `close()`."""
        if self.pool is not None:
            return self.pool
        ctx: multiprocessing.context.BaseContext
        if "forkserver" in multiprocessing.get_all_start_methods():
            ctx = multiprocessing.get_context("forkserver")
            # Workers fork from a server that has imported the model and loaded its kernels
            # once: they start in milliseconds, and no thread of this process (progress
            # bars, Dask) is forked.
            ctx.set_forkserver_preload(["eachcustomer.experiments.running.worker_preload"])
        else:  # Windows
            ctx = multiprocessing.get_context("spawn")
        self.pool = ProcessPoolExecutor(
            self.workers,
            mp_context=ctx,
            initializer=_start_worker,
            initargs=(os.getpid(), digest, context),
        )
        self.first_digest = digest
        self.pools_started += 1
        return self.pool

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def _bounded(
    submit: Callable[[list[Task]], Any],
    chunks: Iterator[list[Task]],
    limit: int,
    wait_some: Callable[[set], Iterable],
) -> Iterator[Output]:
    """Keep at most `limit` chunks in flight; yield outputs as chunks complete."""
    pending: set = set()
    for chunk in itertools.islice(chunks, limit):
        pending.add(submit(chunk))
    while pending:
        for future in wait_some(pending):
            pending.discard(future)
            outputs = future.result()
            for chunk in itertools.islice(chunks, 1):
                pending.add(submit(chunk))
            yield from outputs


# --- dask ----------------------------------------------------------------------------------


CONNECT_SECONDS = 10
"""How long `--dask-scheduler` waits for the scheduler to answer before giving up."""
SCHEDULER_ADDRESS = re.compile(
    r"^(?:(?:tcp|tls|ws|wss|ucx)://)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)"
    r":(\d{1,5})/?$"
)


class ClusterError(ValueError):
    """A Dask scheduler address that is not one, or a scheduler that does not answer."""


def check_scheduler_address(address: str) -> str:
    """Refuse what cannot be a scheduler's address: PROTOCOL://HOST:PORT (or HOST:PORT).

    Raises:
        ClusterError: with the form expected.
    """
    match = SCHEDULER_ADDRESS.match(address.strip())
    if match is None or not 1 <= int(match.group(1)) <= 65535:
        raise ClusterError(
            f"--dask-scheduler {address!r}: not a scheduler address; give "
            "tcp://HOST:PORT (as `dask scheduler` prints it, e.g. tcp://10.0.0.5:8786)"
        )
    return address.strip()


def connect_scheduler(address: str) -> Any:
    """A `distributed.Client` of the scheduler at `address`, within `CONNECT_SECONDS`.

    Raises:
        ClusterError: a malformed address, or no scheduler answered in time.
    """
    distributed = require_dask()
    address = check_scheduler_address(address)
    try:
        return distributed.Client(address, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError, ValueError) as problem:
        reason = str(problem).splitlines()[0] if str(problem) else type(problem).__name__
        raise ClusterError(
            f"--dask-scheduler {address}: no Dask scheduler answered within "
            f"{CONNECT_SECONDS} s ({reason}); start one there (`dask scheduler`), check "
            "the address and the network, or use --dask-local"
        ) from None


def require_dask() -> ModuleType:
    """`distributed`, or a `MissingExtraError` naming the [cluster] extra."""
    return require("distributed", "cluster", "a Dask cluster (--dask-local, --dask-scheduler)")


class DaskExecutor:
    """Runs on a `dask.distributed` cluster through a Client.

    Args:
        address: a scheduler address (tcp://host:8786) to connect to; None starts a
            `LocalCluster` with `workers` single-threaded worker processes on loopback.
        workers: workers of the local cluster.
        client: an existing `distributed.Client` to use instead (not closed by us).
    """

    def __init__(
        self,
        address: str | None = None,
        workers: int | None = None,
        chunk_size: int | None = None,
        client: Any = None,
    ) -> None:
        distributed = require_dask()
        self.cluster = None
        if client is not None:
            self.client, self.own_client = client, False
        elif address is not None:
            self.client, self.own_client = connect_scheduler(address), True
        else:
            self.cluster = distributed.LocalCluster(
                n_workers=workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                host="127.0.0.1",
            )
            self.client, self.own_client = distributed.Client(self.cluster), True
        self.workers = max(1, sum(self.client.nthreads().values()))
        self.chunk_size = chunk_size

    def map(self, context: RunContext, tasks: Iterable[Task], count: int) -> Iterator[Output]:
        dask_wait = require_dask().wait
        shared = self.client.scatter(context, broadcast=True)
        size = self.chunk_size or auto_chunk_size(count, self.workers)
        yield from _bounded(
            lambda chunk: self.client.submit(execute_chunk, shared, chunk, pure=False),
            point_chunks(tasks, size),
            self.workers * CHUNKS_PER_WORKER,
            lambda futures: dask_wait(list(futures), return_when="FIRST_COMPLETED").done,
        )

    def close(self) -> None:
        if self.own_client:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_executor(
    workers: int | None = None, dask_scheduler: str | None = None, dask_local: bool = False
) -> SerialExecutor | ProcessExecutor | DaskExecutor:
    """The executor the command line asks for: Dask, one process, or a local pool."""
    if dask_scheduler is not None or dask_local:
        return DaskExecutor(address=dask_scheduler, workers=workers)
    if workers == 1:
        return SerialExecutor()
    return ProcessExecutor(workers)


# --- the sweep -----------------------------------------------------------------------------


@dataclass
class SweepProgress:
    """Where a sweep stands; passed to the progress callback after every finished run."""

    total: int
    already: int
    done: int = 0
    failed: int = 0
    last_error: str | None = None

    @property
    def finished(self) -> int:
        return self.already + self.done


def run_sweep(
    sweep: Sweep,
    out: str | Path,
    executor: Any = None,
    *,
    retry_failed: bool = False,
    on_progress: Callable[[SweepProgress], None] | None = None,
) -> SweepProgress:
    """Run every run of `sweep` not yet in the results folder `out`, writing each as it ends.

    Args:
        sweep: a validated sweep (`eachcustomer.experiments.loading.sweeps.load_sweep`).
        out: the results folder; new, or one this sweep was started in (resume).
        executor: `SerialExecutor()`, `ProcessExecutor(n)` (the default) or `DaskExecutor`.
            It is closed at the end.
        retry_failed: run again the runs recorded as failed (else they are kept).
        on_progress: called with the progress after each run and once at the start.

    Returns:
        The progress at the end: runs done now, failed now, finished before.
    """
    executor = executor if executor is not None else ProcessExecutor()
    try:
        with claim_folder(out, SWEEP):
            return _run_claimed(sweep, out, executor, retry_failed, on_progress)
    finally:
        executor.close()


def _run_claimed(
    sweep: Sweep,
    out: str | Path,
    executor: Any,
    retry_failed: bool,
    on_progress: Callable[[SweepProgress], None] | None,
) -> SweepProgress:
    store, design = ResultStore.open(out, sweep)
    finished = store.finished()
    keep = {run_id for run_id, status in finished.items() if status == "ok" or not retry_failed}
    todo = design[~design["run_id"].isin(keep)]
    progress = SweepProgress(total=len(design), already=len(keep))
    if on_progress is not None:
        on_progress(progress)
    factor_names = [f.name for f in sweep.factors]
    tasks = (_task(row, factor_names) for row in todo.itertuples(index=False))
    if len(todo):
        for row, series in executor.map(sweep.context(), tasks, len(todo)):
            store.write(row, series)
            progress.done += 1
            if row["status"] != "ok":
                progress.failed += 1
                progress.last_error = f"run {row['run_id']}: {row['error']}"
            if on_progress is not None:
                on_progress(progress)
    return progress


def _task(row: Any, factor_names: list[str]) -> Task:
    values = {}
    for name in factor_names:
        value = getattr(row, name)
        values[name] = value.item() if hasattr(value, "item") else value
    return {
        "run_id": int(row.run_id),
        "point": int(row.point),
        "arm": int(row.arm),
        "replication": int(row.replication),
        "seed": int(row.seed),
        "values": values,
    }
