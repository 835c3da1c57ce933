"""Test helpers: the dashboard served as a user starts it, and HTTP clients that talk to it the
way Dash's renderer does.

A `DashTab` is one browser tab without a browser: it loads the page (for the page-load token
`end_id` that Dash binds background jobs to), has its own session id (what the app's
clientside callback gives a tab), posts a background callback to `/_dash-update-component`
and polls it at the callback's interval with the signed `cacheKey` and `job` handles, exactly
as dash-renderer's `handleServerside` does, until the response (or the job's end) arrives.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CONFIG = re.compile(r'<script id="_dash-config" type="application/json">(.*?)</script>', re.S)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition: Callable[[], Any], timeout: float, message: str) -> Any:
    """Poll `condition` until it returns something true; that value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {message}")
        time.sleep(0.05)


@contextmanager
def served_dashboard(
    folder: Path, *options: str, python: str = sys.executable, cwd: Path = REPO
) -> Iterator[tuple[str, subprocess.Popen]]:
    """`python -m eachcustomer dashboard --port P OPTIONS` run in `cwd`: its address and
    process."""
    port = free_port()
    environment = {**os.environ, "EACHCUSTOMER_RESULTS": str(folder / "results")}
    environment.pop("EACHCUSTOMER_MAX_JOBS", None)
    log_path = folder / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [python, "-m", "eachcustomer", "dashboard", "--port", str(port), *options],
            cwd=cwd,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        if process.poll() is not None:
            raise AssertionError("the dashboard stopped:\n" + log_path.read_text()[-3000:])
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except OSError:
            return False

    try:
        wait_until(answers, 60, "the dashboard to answer")
        yield url, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@dataclass
class Job:
    """A background callback a tab started: what it polls with, and what it has seen."""

    body: dict[str, Any]
    handles: str
    interval: float
    job: str
    notices: list[str] = field(default_factory=list)
    response: dict[str, Any] | None = None
    done: bool = False


class DashTab:
    """One browser tab, as the server sees it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.session = uuid.uuid4().hex
        config = json.loads(CONFIG.search(self.get("/")).group(1))
        self.end_id = config["end_id"]
        self.callbacks = json.loads(self.get("/_dash-dependencies"))

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.url + path, timeout=30) as answer:
            return answer.read().decode()

    def post(self, query: str, body: dict[str, Any]) -> tuple[int, dict[str, Any] | None]:
        request = urllib.request.Request(
            f"{self.url}/_dash-update-component?endId={self.end_id}{query}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, json.loads(answer.read()) if answer.status == 200 else None

    def update(self, output: str, inputs: dict[str, Any]) -> dict[str, Any]:
        """Fire an ordinary (not background) callback: its response by output id."""
        spec = next(c for c in self.callbacks if c["output"] == output)
        component, prop = output.rsplit(".", 1)
        body = {
            "output": output,
            "outputs": {"id": component, "property": prop},
            "inputs": [
                {**i, "value": inputs.get(f"{i['id']}.{i['property']}")} for i in spec["inputs"]
            ],
            "state": [],
            "changedPropIds": [next(iter(inputs))],
        }
        status, data = self.post("", body)
        assert status == 200 and data is not None, (status, data)
        return data["response"]

    def callback(self, output: str) -> dict[str, Any]:
        """The background callback one of whose outputs is `output` ("id.property")."""
        return next(c for c in self.callbacks if c.get("background") and f"{output}" in c["output"])

    def start(self, output: str, values: dict[str, Any], trigger: str) -> Job:
        """Fire a background callback; `values` holds its inputs and states by "id.property"
        (the session's id is filled in), `trigger` the input that changed."""
        spec = self.callback(output)
        values = {"session.data": self.session, **values}
        outputs = []
        for part in spec["output"].strip(".").split("..."):
            component, prop = part.rsplit(".", 1)
            outputs.append({"id": component, "property": prop})

        def with_values(items: list[dict[str, Any]], blank: bool) -> list[dict[str, Any]]:
            return [
                {**i, "value": None if blank else values.get(f"{i['id']}.{i['property']}")}
                for i in items
            ]

        body = {
            "output": spec["output"],
            "outputs": outputs if len(outputs) > 1 else outputs[0],
            "inputs": with_values(spec["inputs"], False),
            "state": with_values(spec["state"], False),
            "changedPropIds": [trigger],
        }
        status, data = self.post("", body)
        assert status == 200 and data is not None and "job" in data, (status, data)
        # Polls carry the handles; the renderer blanks the values (the job has them).
        blank = {
            **body,
            "inputs": with_values(spec["inputs"], True),
            "state": with_values(spec["state"], True),
        }
        return Job(
            blank,
            f"&cacheKey={data['cacheKey']}&job={data['job']}",
            spec["background"]["interval"] / 1000,
            data["job"],
        )

    def poll(self, job: Job) -> None:
        """One poll of a job, as the renderer makes it; notices and the end are recorded."""
        status, data = self.post(job.handles, job.body)
        if status != 200 or data is None:  # 204: the job ended with nothing to update
            job.done = True
            return
        notice = (data.get("sideUpdate") or {}).get("job-notice")
        if notice is not None:
            job.notices.append(notice["children"])
        if "response" in data:
            job.response = data["response"]
            job.done = True

    def finish(self, job: Job, timeout: float = 120) -> dict[str, Any] | None:
        """Poll until the job is done; its response, or None when it ended without one."""
        deadline = time.monotonic() + timeout
        while not job.done:
            if time.monotonic() > deadline:
                raise AssertionError(f"the job did not end within {timeout} s")
            time.sleep(job.interval)  # the renderer's pace: the callback's interval
            self.poll(job)
        return job.response

    def run(self, output: str, values: dict[str, Any], trigger: str) -> Job:
        job = self.start(output, values, trigger)
        self.finish(job)
        return job

    def cancel(self, job: Job, cancel_input: str) -> None:
        """Press a Cancel (or Pause) button of the running job's callback."""
        component, prop = cancel_input.rsplit(".", 1)
        body = {
            "output": f"{component}.id",
            "outputs": {"id": component, "property": "id"},
            "inputs": [{"id": component, "property": prop, "value": 1}],
            "state": [],
            "changedPropIds": [cancel_input],
        }
        status, answer = self.post(f"&cancelJob={job.job}", body)
        assert status == 204 or answer == {"multi": True, "response": {}}  # it updates nothing
