"""Uploaded org charts: decoded, size- and row-limited, parsed by `eachcustomer.sim.orgchart`, never
executed.

A browser sends a file as base64 text. Here it is measured before it is decoded, checked to
be UTF-8 text without NUL bytes, written to a private temporary folder under a harmless
name and read by `load_org_chart`, which parses CSV with the csv module and GraphML with
defusedxml (no DTD, no entities, no external references). Any failure becomes a message
for the user; nothing a file contains can crash the server or run as code.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from dataclasses import dataclass, field
from typing import Any

from eachcustomer.dashboard.settings import (
    CHART_SUFFIXES,
    MAX_CHART_BYTES,
    MAX_CHART_ROWS,
    build_setup,
    chart_files,
    normalize,
    safe_filename,
    user_message,
)
from eachcustomer.sim.orgchart import load_org_chart
from eachcustomer.sim.params import Params


@dataclass
class RowError:
    """One problem, with the place in the file and the offending line when known."""

    where: str
    problem: str
    line_text: str | None = None


@dataclass
class ChartCheck:
    """The outcome of checking an upload: the chart to keep, or the problems."""

    chart: dict[str, Any] | None
    errors: list[RowError] = field(default_factory=list)
    summary: str = ""


CHART_LIMIT = f"{MAX_CHART_ROWS:,} employees"


def too_large_message(
    name: str, size: float, max_bytes: int = MAX_CHART_BYTES, limit: str | None = CHART_LIMIT
) -> str:
    """What a user reads about a file over the limit, whether the browser or the server
    measured it; `limit` says what the size allows (an org chart's head count)."""
    allows = f" ({limit})" if limit else ""
    return f"{name}: the file is {size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB{allows}"


def refused_upload(refusal: Any, limit: str | None = CHART_LIMIT) -> str | None:
    """The message for a file the browser did not send because of its size, from what the
    page reports ({"filename", "size"}), or None if that is not such a report."""
    if not isinstance(refusal, dict):
        return None
    size = refusal.get("size")
    if not isinstance(size, int | float) or isinstance(size, bool):
        return None
    if not MAX_CHART_BYTES < size < math.inf:
        return None  # not over the limit (or not a size): nothing was refused
    return too_large_message(safe_filename(refusal.get("filename")), size, limit=limit)


def decode_upload(
    contents: Any,
    filename: Any,
    max_bytes: int = MAX_CHART_BYTES,
    limit: str | None = CHART_LIMIT,
    expected: str = "a header line and rows",
) -> tuple[str | None, str | None]:
    """(text, None) for a readable upload, (None, message) otherwise; `expected` says what
    an empty file lacks."""
    name = safe_filename(filename)
    if not isinstance(contents, str) or "," not in contents:
        return None, f"{name}: the upload arrived empty or damaged; try again"
    encoded = contents.split(",", 1)[1]
    size = len(encoded) * 3 // 4
    if size > max_bytes:
        return None, too_large_message(name, size, max_bytes, limit)
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return None, f"{name}: the upload arrived damaged (not valid base64); try again"
    if not data.strip():
        return None, f"{name}: the file is empty; expected {expected}"
    if b"\x00" in data:
        return None, f"{name}: contains NUL bytes, so it looks binary; expected a text file"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return None, (
            f"{name}: not UTF-8 text (byte {error.start} cannot be decoded); save it as UTF-8 text"
        )
    return text, None


def split_problems(message: str, texts: dict[str, str | None]) -> list[RowError]:
    """Loader messages ('file: line N: problem', one per line) as row errors.

    `texts` maps each uploaded file's name to its text, to show the offending line; a
    problem in a file other than the first (the departments table) names its file.
    """
    names = list(texts)
    errors = []
    for entry in message.splitlines():
        parts = entry.split(": ", 2)
        if entry.startswith("... "):  # the loader's count of problems it did not list
            errors.append(RowError("", entry.removeprefix("... ")))
            continue
        if len(parts) == 3 and re.fullmatch(r"(line \d+|node '.*'|edge '.*')", parts[1]):
            where, problem = parts[1], parts[2]
        else:
            where, problem = "file", entry
        text = texts.get(parts[0]) if len(parts) > 1 else None
        line_text = None
        number = re.fullmatch(r"line (\d+)", where)
        lines = text.splitlines() if text is not None else []
        if number and 0 < int(number.group(1)) <= len(lines):
            line_text = lines[int(number.group(1)) - 1][:200]
        if where != "file" and names and parts[0] in names[1:]:
            where = f"{parts[0]}, {where}"
        errors.append(RowError(where, problem, line_text))
    return errors


def check_chart(
    chart_contents: Any,
    chart_filename: Any,
    table_contents: Any = None,
    table_filename: Any = None,
    settings: Any = None,
) -> ChartCheck:
    """Check an uploaded chart (and optional departments table) against the session's scenario.

    Returns the chart entry for the settings when the scenario runs with it, else the
    problems, row by row.
    """
    name = safe_filename(chart_filename)
    if not name.lower().endswith(CHART_SUFFIXES):
        return ChartCheck(
            None,
            [RowError("file", f"{name}: unknown file type; upload a .csv or .graphml org chart")],
        )
    text, problem = decode_upload(chart_contents, name)
    if problem is not None:
        return ChartCheck(None, [RowError("file", problem)])
    chart: dict[str, Any] = {
        "filename": name,
        "text": text,
        "departments_filename": None,
        "departments_text": None,
    }
    table_text = None
    if table_contents:
        table_name = safe_filename(table_filename, "departments.csv")
        table_text, problem = decode_upload(table_contents, table_name)
        if problem is not None:
            return ChartCheck(None, [RowError("file", problem)])
        chart.update(departments_filename=table_name, departments_text=table_text)
    session = normalize(settings)
    try:
        with chart_files(chart) as (chart_path, table_path):
            assert chart_path is not None  # the chart was set just above
            org = load_org_chart(
                chart_path, departments=table_path, params=Params(), max_rows=MAX_CHART_ROWS
            )
    except ValueError as error:  # OrgChartError, OrganizationError and their kin
        texts = {name: text}
        if table_text is not None:
            texts[str(chart["departments_filename"])] = table_text
        return ChartCheck(None, split_problems(user_message(error), texts))
    except Exception as error:  # noqa: BLE001 - a hostile file must never crash the server
        return ChartCheck(
            None, [RowError("file", f"{name}: cannot be read ({type(error).__name__})")]
        )
    chart["employees"] = org.size
    try:
        build_setup({**session, "chart": chart})
    except ValueError as error:
        return ChartCheck(None, [RowError("scenario", user_message(error))])
    departments = len(org.department_names)
    front = int(org.customer_facing.sum())
    return ChartCheck(
        chart,
        [],
        f"{name}: {org.size:,} employees in {departments} "
        f"departments, {front:,} serving customers, "
        f"{int(org.level.max())} levels",
    )
