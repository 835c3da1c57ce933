"""The project's promises about itself: CI runs exactly the README's test command."""

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
