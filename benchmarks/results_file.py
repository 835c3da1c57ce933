"""benchmarks/RESULTS.md: each benchmark script owns one "## ..." section of it."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")
HEADER = (
    "# Benchmark results\n\nSpeed and memory of EachCustomer; how to run each benchmark "
    "is in README.md.\n\n"
)


def replace_section(path: Path, heading: str, section: str) -> None:
    """Put `section` in place of the section titled `heading`; keep every other section."""
    if not path.exists():
        path.write_text(HEADER + section, encoding="utf-8")
        return
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == heading), None)
    if start is None:
        text = "".join(lines).rstrip("\n") + "\n\n" + section
    else:
        end = next(
            (
                i
                for i in range(start + 1, len(lines))
                if lines[i].startswith("## ") or lines[i].startswith("# ")
            ),
            len(lines),
        )
        tail = "".join(lines[end:])
        text = "".join(lines[:start]) + section + ("\n" + tail if tail else "")
    path.write_text(text, encoding="utf-8")
