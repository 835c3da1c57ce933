"""Every `eachcustomer` command the README shows works as written (long ones as dry runs).

Commands that need what an earlier command writes (a results folder, your own org chart or
spec) or that serve forever (the dashboard) are recognised by their arguments and left to
the tests of those features; the rest run here, in a scratch folder, through the CLI.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eachcustomer.cli import app

REPO = Path(__file__).resolve().parents[1]
COMMAND = re.compile(r"^\.venv/bin/eachcustomer\b(.*?)(?:\s+#.*)?$", re.M)
DRY_RUN = ("sweep", "plan", "calibrate", "fit-firm")
"""Commands that take --dry-run: checked and counted, not run (minutes each)."""
NEEDS_EARLIER_WORK = ("results/", "SPEC.toml", "my_org.csv", "dashboard")
"""Arguments that name what an earlier step or the reader provides."""


def readme_commands() -> list[list[str]]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return [shlex.split(match.group(1)) for match in COMMAND.finditer(text)]


def reads_earlier_work(words: list[str]) -> bool:
    """Whether a command reads something an earlier step or the reader provides (what it
    writes, the value of --out, may be a results folder: it is made in the scratch folder)."""
    inputs = [word for index, word in enumerate(words) if index == 0 or words[index - 1] != "--out"]
    return any(word.startswith(NEEDS_EARLIER_WORK) for word in inputs)


def runnable() -> list[list[str]]:
    commands = []
    for words in readme_commands():
        if not words or reads_earlier_work(words):
            continue
        dry = words[0] in DRY_RUN and "--dry-run" not in words
        commands.append(words + (["--dry-run"] if dry else []))
    return commands


def test_the_readme_shows_commands_of_every_kind():
    kinds = {words[0] for words in runnable() if words}
    assert {"run", "sweep", "plan", "calibrate", "list"} <= kinds


@pytest.mark.parametrize("words", runnable(), ids=lambda words: " ".join(words) or "(none)")
def test_each_readme_command_works_as_written(words, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "scenarios").symlink_to(REPO / "scenarios")  # as from the clone's root
    result = CliRunner().invoke(app, words)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output


def test_the_readmes_python_runs_as_written_and_does_what_its_comments_say(tmp_path, monkeypatch):
    """The README's "Using the model from Python" block, run as a reader pastes it."""
    monkeypatch.chdir(tmp_path)
    text = (REPO / "README.md").read_text(encoding="utf-8")
    (block,) = [b for b in re.findall(r"```python\n(.+?)\n```", text, re.S) if "run_sweep" in b]
    namespace: dict = {}
    exec(compile(block, "README.md", "exec"), namespace)
    runs = namespace["runs"]
    # "20 runs per plan": every plan named, each on the same 20 seeds (paired).
    assert list(runs) == ["none", "training_day", "culture_change"]
    assert all(len(done) == 20 for done in runs.values())
    finals = {name: [r.record["final_mean_attitude"] for r in done] for name, done in runs.items()}
    assert finals["none"] != finals["training_day"] != finals["culture_change"]
    assert len(namespace["weekly"]) == 105
    assert (tmp_path / "results" / "small" / "manifest.json").exists()
