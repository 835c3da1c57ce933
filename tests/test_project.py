"""The project's promises about itself: CI runs exactly the README's test command, and every
test module is placed on purpose on the newest Python or left to the default one."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ci_runs_exactly_the_readmes_test_command():
    blocks = re.findall(r"```bash\n(.+?)\n```", (ROOT / "README.md").read_text(), re.S)
    run, test = blocks[0].strip(), blocks[1].strip()
    assert run.endswith("eachcustomer dashboard")
    ci = [
        line
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line and not line.startswith(("#", "set ", "cd "))
    ]
    assert ci == [test]
    assert "pytest" in test and "mypy" in test and "ruff" in test
    # The browser the browser tests drive is installed by the command, before pytest; the
    # suite itself installs nothing (tests/conftest.py only looks for it).
    assert test.index(".venv/bin/python tests/install_browser.py &&") < test.index("pytest")
    conftest = (ROOT / "tests" / "conftest.py").read_text()
    assert "apt-get" not in conftest and "install_browser" in conftest


def test_the_browser_install_is_quiet_when_present_and_never_stops_the_command(
    tmp_path, monkeypatch, capsys
):
    import install_browser

    present = tmp_path / "chromium"
    present.write_text("")
    monkeypatch.setattr(install_browser, "CHROMIUM", present)
    monkeypatch.setattr(install_browser, "CHROMEDRIVER", present)
    ran = []
    monkeypatch.setattr(install_browser, "run_as_package_manager", ran.append)
    assert install_browser.main([]) == 0 and ran == []  # present: nothing to do, nothing said
    assert capsys.readouterr() == ("", "")
    monkeypatch.setattr(install_browser, "CHROMEDRIVER", tmp_path / "missing")
    monkeypatch.setattr(install_browser.os, "geteuid", lambda: 1000)
    assert install_browser.main([]) == 0 and ran == []  # no sudo: it says why and goes on
    said = capsys.readouterr().err
    assert "only root may install them" in said and "apt-get install chromium" in said
    assert install_browser.main(["--strict"]) == 1


def test_the_browser_install_waits_for_another_package_manager(monkeypatch):
    import subprocess

    import install_browser

    calls = []

    def apt(command, **_):
        calls.append(command)
        if len(calls) == 1:
            raise subprocess.CalledProcessError(
                100, command, stderr="E: Could not get lock /var/lib/apt/lists/lock"
            )

    monkeypatch.setattr(install_browser.subprocess, "run", apt)
    monkeypatch.setattr(install_browser.time, "sleep", lambda _: None)
    assert install_browser.run_as_package_manager(["apt-get", "update"]) is None
    assert len(calls) == 2  # the lock was waited for, then the command ran
    assert calls[0][0] == "apt-get"


PATH_IN_TEXT = re.compile(
    r"\b(?:sim|experiments|dashboard|scenarios|docs|benchmarks|eachcustomer|tests)/"
    r"[A-Za-z0-9_./-]*[A-Za-z0-9_]"
)
"""A repository path as the README and docs name one (sim/model.py, experiments/specs/...)."""


def test_every_path_the_readme_and_docs_name_exists():
    texts = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    texts += sorted((ROOT / "experiments" / "specs").glob("*.md"))
    missing, checked = [], 0
    for text in texts:
        for line_number, line in enumerate(text.read_text(encoding="utf-8").splitlines(), 1):
            for match in PATH_IN_TEXT.finditer(line):
                path = match.group(0)
                if "*" in line[match.end() : match.end() + 1] or path.endswith(("_", "NAME")):
                    continue  # a pattern (decision_map_*.png), not a path
                checked += 1
                if not (ROOT / path).exists():
                    missing.append(f"{text.relative_to(ROOT)}:{line_number}: {path}")
    assert checked > 50  # the pattern still finds the paths the texts name
    assert not missing, "\n".join(missing)


def test_every_test_module_runs_on_the_newest_python_or_is_left_to_the_default_on_purpose():
    from on_newest_python import DEFAULT_ONLY, ON_NEWEST, newest_python_arguments

    modules = {path.stem for path in (ROOT / "tests").glob("test_*.py")}
    newest = [name for group in ON_NEWEST.values() for name in group]
    default = [name for group in DEFAULT_ONLY.values() for name in group]
    placed = newest + default
    twice = sorted({name for name in placed if placed.count(name) > 1})
    assert not twice, f"placed twice in tests/on_newest_python.py: {twice}"
    unplaced = sorted(modules - set(placed))
    assert not unplaced, (
        f"{unplaced}: add each to ON_NEWEST in tests/on_newest_python.py when what it checks "
        "can change with the versions that resolve on the newest Python (or with Python "
        "itself), else to DEFAULT_ONLY, in the group that says why"
    )
    assert not set(placed) - modules, f"no such test module: {sorted(set(placed) - modules)}"
    arguments = newest_python_arguments()
    assert [f"tests/{name}.py" for name in newest] == arguments[-len(newest) :]
    assert arguments[:2] == ["-m", "not browser"]
