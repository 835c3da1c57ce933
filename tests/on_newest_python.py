"""The suite, but for its browser tests, on the newest supported Python this machine has.

The README's test command ends here: `.venv` (Python 3.11) has run the whole suite; this
script finds the newest Python that pyproject.toml's classifiers declare and that is on this
machine (`python3.X` on the PATH, or under pyenv), gives it its own virtual environment
(`.venv-3.X`), installs the project with its test extras and runs the non-browser tests
there, where Mesa, EMA Workbench and numpy resolve to their newest versions. It exits with
pytest's code; with 0 and a note when this machine has no newer Python than the one running it.

`--alongside COMMAND...` runs COMMAND (the default Python's suite) in the foreground while
this script's own work runs beside it at a lower priority (`nice`), its output kept and
printed after COMMAND's so the two do not interleave. On two cores the newer Python's
install and tests then overlap the default suite instead of following it, which keeps the
README's test command well inside CI's time. The exit code is COMMAND's if it failed, else
this script's.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYTEST_ARGUMENTS = ("-m", "not browser", "--ignore=tests/test_wheel.py", "-p", "no:cacheprovider")
"""The browser tests and the wheel's own virtual environment run once, on the default Python."""


def declared_versions() -> list[tuple[int, int]]:
    """The Python versions pyproject.toml's classifiers name, newest first."""
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    found = re.findall(r'"Programming Language :: Python :: 3\.(\d+)"', text)
    return sorted({(3, int(minor)) for minor in found}, reverse=True)


def find_python(version: tuple[int, int]) -> Path | None:
    """An interpreter of this version that runs: a pyenv build of it, else one on the PATH
    (pyenv's shims are on the PATH too, but fail for a version that is not selected)."""
    name = f"python{version[0]}.{version[1]}"
    builds = sorted(
        (Path.home() / ".pyenv" / "versions").glob(f"{version[0]}.{version[1]}.*/bin/{name}"),
        key=lambda path: [int(part) for part in path.parts[-3].split(".") if part.isdigit()],
        reverse=True,
    )
    on_path = shutil.which(name)
    for candidate in [*builds, *([Path(on_path)] if on_path else [])]:
        probe = subprocess.run(
            [candidate, "-c", "import sys; print(*sys.version_info[:2])"],
            capture_output=True,
            text=True,
        )
        if probe.returncode == 0 and probe.stdout.split() == [str(part) for part in version]:
            return candidate
    return None


def run(command: list[str | Path]) -> None:
    print("+", " ".join(str(part) for part in command), flush=True)
    subprocess.run(command, cwd=REPO, check=True)


def alongside(command: list[str]) -> int:
    """COMMAND in the foreground, this script's own work beside it at a lower priority."""
    with tempfile.TemporaryFile() as log:
        newest = subprocess.Popen(
            ["nice", "-n", "10", sys.executable, __file__],
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            foreground = subprocess.run(command, cwd=REPO).returncode
        finally:
            newest_code = newest.wait()
            log.seek(0)
            sys.stdout.flush()
            sys.stdout.buffer.write(log.read())
            sys.stdout.flush()
    return foreground or newest_code


def main() -> int:
    running = sys.version_info[:2]
    for version in declared_versions():
        if version <= running:
            break
        python = find_python(version)
        if python is None:
            continue
        venv = REPO / f".venv-{version[0]}.{version[1]}"
        try:
            if not (venv / "bin" / "python").exists():
                run([python, "-m", "venv", venv])
            run([venv / "bin" / "python", "-m", "pip", "install", "-q", "-e", ".[test]"])
        except subprocess.CalledProcessError as error:
            print(f"Setting up Python {version[0]}.{version[1]} failed: {error}", file=sys.stderr)
            return 1
        print(f"Python {version[0]}.{version[1]}: the suite but its browser tests", flush=True)
        tests = subprocess.run(
            [venv / "bin" / "python", "-m", "pytest", *PYTEST_ARGUMENTS], cwd=REPO
        )
        return tests.returncode
    newest = ".".join(map(str, declared_versions()[0]))
    print(
        f"No Python newer than {running[0]}.{running[1]} here (declared up to {newest}): skipped."
    )
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--alongside"]:
        sys.exit(alongside(sys.argv[2:]))
    sys.exit(main())
