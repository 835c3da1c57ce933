"""The suite, but for its browser tests, on the newest supported Python this machine has.

The README's test command ends here: `.venv` (Python 3.11) has run the whole suite; this
script finds the newest Python that pyproject.toml's classifiers declare and that is on this
machine (`python3.X` on the PATH, or under pyenv), gives it its own virtual environment
(`.venv-3.X`), installs the project with its test extras and runs the non-browser tests
there, where Mesa, EMA Workbench and numpy resolve to their newest versions. It exits with
pytest's code; with 0 and a note when this machine has no newer Python than the one running it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
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
    sys.exit(main())
