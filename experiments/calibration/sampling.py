"""pyabc's sampling on the project's executors, reproducible from one seed.

pyabc's samplers for executors (`ConcurrentFutureSampler`, `DaskDistributedSampler`) share
one loop (`EPSMixin`): jobs are numbered as they are submitted, and a population is made of
the results in job order up to the n-th accepted one, whatever order the jobs finish in.
Their workers, though, seed numpy from the operating system, so a run cannot be repeated.
`SeededSampler` keeps pyabc's loop and gives job j of generation t the random state
SeedSequence([seed, t + 1, j]) instead: the population, and so the whole calibration, is
the same for one worker, a process pool or a Dask cluster. (Only `max_minutes`, a clock,
can stop two runs at different generations.)

Executors: `InProcess` (one worker, in this process), a pool of local processes
(`process_pool`), or the `distributed.Client` of
`eachcustomer.experiments.running.executors.DaskExecutor`.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import random
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import cloudpickle
import numpy as np
from pyabc.sampler import Sampler
from pyabc.sampler.eps_mixin import EPSMixin

from eachcustomer.experiments.running.watchdog import end_with_parent

JOBS_PER_WORKER = 2
"""Jobs in flight per worker: one running, one waiting, so no worker idles between polls."""
IN_PROCESS_JOBS = 8
"""Jobs run per poll in this process: pyabc's loop sleeps 10 ms between polls, and the
jobs of the last poll after the n-th acceptance are run for nothing."""


_unpickled: dict[bytes, Callable[[], Any]] = {}
"""This process's `simulate_one` of the current population, by digest of its pickle."""


def _simulate_one(simulate_one_pickle: bytes) -> Callable[[], Any]:
    # Every job of a population carries the same pickle, and unpickling it (priors,
    # transitions: scipy distributions) costs milliseconds: once per population is enough.
    key = hashlib.sha256(simulate_one_pickle).digest()
    if key not in _unpickled:
        _unpickled.clear()
        _unpickled[key] = cloudpickle.loads(simulate_one_pickle)
    return _unpickled[key]


def evaluate_seeded(
    simulate_one_pickle: bytes, job_ids: list[int], seed: int, generation: int
) -> list[tuple[Any, bool, int]]:
    """What a worker runs for a batch of jobs: pyabc's `simulate_one`, seeded per job."""
    simulate_one = _simulate_one(simulate_one_pickle)
    results = []
    for job_id in job_ids:
        state = np.random.SeedSequence([seed, generation + 1, job_id]).generate_state(4)
        np.random.seed(state)
        random.seed(int(state[0]))
        result = simulate_one()
        results.append((result, result.accepted, job_id))
    return results


class InProcess:
    """An executor that runs each job when it is submitted, in this process."""

    def submit(self, function: Callable[..., Any], *args: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(function(*args))
        except Exception as error:  # handed to whoever reads the future
            future.set_exception(error)
        return future

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        """Nothing runs in the background."""


def _start_worker(main: int) -> None:
    # Ctrl-C goes to the whole process group; the parent decides what to do with it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    end_with_parent(main)  # a killed calibration leaves no worker behind


def process_pool(workers: int) -> ProcessPoolExecutor:
    """Local worker processes, forked from a forkserver that imported the model once."""
    context: multiprocessing.context.BaseContext
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["eachcustomer.experiments.calibration.simulate"])
    else:  # Windows
        context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(os.getpid(),)
    )


@dataclass
class Tally:
    """Evaluations and acceptances of the generation under way, for a progress bar."""

    generation: int = -1
    evaluations: int = 0
    accepted: int = 0


class SeededClient:
    """Wraps an executor or a Dask client: each job runs `evaluate_seeded` with its seed."""

    def __init__(self, client: Any, seed: int, on_result: Callable[[Tally], None] | None) -> None:
        self.client = client
        self.seed = seed
        self.generation = -1
        self.jobs: dict[int, Future] = {}
        self.tally = Tally()
        self.on_result = on_result
        self.lock = threading.Lock()

    def start(self, generation: int) -> None:
        """A new generation: forget the last one's jobs."""
        self.generation = generation
        self.jobs = {}
        self.tally = Tally(generation)

    def submit(self, _function: Any, simulate_one_pickle: bytes, _batch: int, job_ids: list[int]):
        """pyabc's submit call, with pyabc's worker function replaced by `evaluate_seeded`."""
        args = (evaluate_seeded, simulate_one_pickle, job_ids, self.seed, self.generation)
        if hasattr(self.client, "scatter"):  # a distributed.Client
            future = self.client.submit(*args, pure=False)
        else:
            future = self.client.submit(*args)
        self.jobs[job_ids[0]] = future
        future.add_done_callback(self._count)
        return future

    def _count(self, future: Any) -> None:
        if future.cancelled() or future.exception() is not None:
            return
        with self.lock:
            for _, accepted, _ in future.result():
                self.tally.evaluations += 1
                self.tally.accepted += int(accepted)
            if self.on_result is not None:
                self.on_result(self.tally)

    def evaluations(self, wanted: int) -> int:
        """Jobs up to and including the `wanted`-th accepted one: the population's cost.

        It follows from the jobs' seeds alone, unlike the number of jobs submitted.
        """
        accepted = sorted(
            job_id
            for future in self.jobs.values()
            if future.done() and not future.cancelled()
            for _, was_accepted, job_id in future.result()
            if was_accepted
        )
        return accepted[wanted - 1] + 1 if len(accepted) >= wanted else len(self.jobs)


class SeededSampler(EPSMixin, Sampler):
    """pyabc's executor sampler with seeded jobs (see the module's docstring).

    Args:
        client: an executor with `submit` (a process pool, `InProcess`) or a Dask client.
        workers: how many jobs run at once.
        seed: the calibration's seed.
        on_result: called with the generation's tally after each finished job.
    """

    def __init__(
        self,
        client: Any,
        workers: int,
        seed: int,
        on_result: Callable[[Tally], None] | None = None,
    ) -> None:
        jobs = IN_PROCESS_JOBS if isinstance(client, InProcess) else JOBS_PER_WORKER * workers
        EPSMixin.__init__(
            self,
            client=SeededClient(client, seed, on_result),
            client_max_jobs=jobs,
            default_pickle=True,
            batch_size=1,
        )
        Sampler.__init__(self)
        self.jobs = jobs

    def client_cores(self) -> int:
        return self.jobs

    def sample_until_n_accepted(
        self, n: int, simulate_one: Callable[[], Any], t: int, **kwargs: Any
    ) -> Any:
        """pyabc's loop for generation `t`, then the cost counted from the seeds."""
        client: SeededClient = self.client
        client.start(t)
        sample = super().sample_until_n_accepted(n, simulate_one, t, **kwargs)
        self.nr_evaluations_ = client.evaluations(n)
        return sample
