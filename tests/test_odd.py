"""docs/ODD.md stays in step with the code.

The parameter table must list every field of `Params` with the code's meaning, unit,
default, range, group and seed source; the default departments table must match
`DEFAULT_DEPARTMENTS`; the process overview must name every recorded mechanism and list
the calls of `OrgModel.step()` in their order; the interventions section must name every
kind. The plausible magnitudes the calibration section states are re-checked at the
defaults.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import numpy as np
import pytest

from eachcustomer.sim.batch import Batch
from eachcustomer.sim.interventions import CULTURE_WIDE, ONE_OFF
from eachcustomer.sim.model import MECHANISMS, OrgModel
from eachcustomer.sim.params import DEFAULT_DEPARTMENTS, Params, parameter_table
from eachcustomer.sim.replications import replication_seeds

ODD = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"
PARAMETER_HEADER = [
    "name",
    "meaning",
    "unit",
    "default",
    "range",
    "group",
    "source",
    "seed sentence",
]
DEPARTMENT_HEADER = ["name", "share", "customer_facing", "handles_complaints", "customer_weight"]
PROCESS_HEADER = ["order", "method", "process (MODEL.md)", "changes", "attitude change booked to"]
EMPTY = "—"


@pytest.fixture(scope="module")
def odd() -> str:
    assert ODD.exists(), f"{ODD} is missing"
    return ODD.read_text(encoding="utf-8")


def cells(line: str) -> list[str]:
    """The cells of one markdown table row."""
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def table(text: str, header: list[str]) -> list[dict[str, str]]:
    """The rows of the one markdown table whose header row is `header`."""
    lines = text.splitlines()
    starts = [
        i for i, line in enumerate(lines) if line.lstrip().startswith("|") and cells(line) == header
    ]
    assert len(starts) == 1, f"expected one table with header {header}, found {len(starts)}"
    rows = []
    for line in lines[starts[0] + 2 :]:  # skip the header and the |---| line
        if not line.lstrip().startswith("|"):
            break
        row = cells(line)
        assert len(row) == len(header), f"row has {len(row)} cells, header {len(header)}: {line}"
        rows.append(dict(zip(header, row, strict=True)))
    return rows


def section(text: str, number: str) -> str:
    """The text of the level-2 section `## <number> ...`, up to the next level-2 heading."""
    match = re.search(rf"^## {re.escape(number)} .*?(?=^## |\Z)", text, re.M | re.S)
    assert match, f"no section '## {number}' in docs/ODD.md"
    return match.group(0)


def unquote(cell: str) -> str:
    return cell.strip("`")


def parse_number(cell: str, like: object) -> object:
    """The cell as a number of the same type as `like` (int stays int)."""
    if isinstance(like, bool):
        return cell == "true"
    if isinstance(like, int):
        assert re.fullmatch(r"-?\d+", cell), f"{cell!r} is not an integer"
        return int(cell)
    return float(cell)


def parse_range(cell: str) -> tuple[float, float] | None:
    if cell == EMPTY:
        return None
    match = re.fullmatch(r"\[\s*(\S+)\s*,\s*(\S+)\s*\]", cell)
    assert match, f"range {cell!r} is not of the form [low, high]"
    return float(match.group(1)), float(match.group(2))


def test_parameter_table_lists_every_field_once(odd):
    names = [unquote(row["name"]) for row in table(odd, PARAMETER_HEADER)]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    assert not duplicates, f"listed more than once: {duplicates}"
    assert set(names) == set(Params.model_fields), (
        f"missing from docs/ODD.md: {sorted(set(Params.model_fields) - set(names))}; "
        f"not parameters: {sorted(set(names) - set(Params.model_fields))}"
    )
    assert names == list(Params.model_fields), "keep the table in the order of Params"


@pytest.mark.parametrize("code", parameter_table(), ids=lambda row: row["name"])
def test_parameter_row_matches_the_code(odd, code):
    rows = {unquote(row["name"]): row for row in table(odd, PARAMETER_HEADER)}
    row = rows.get(code["name"])
    assert row is not None, f"{code['name']} is not in the parameter table"
    for column in ("meaning", "unit", "group", "source"):
        assert row[column] == (code[column] or EMPTY), (
            f"{code['name']}: {column} is {row[column]!r} in docs/ODD.md, "
            f"{code[column]!r} in sim/params.py"
        )
    if code["name"] == "departments":
        assert code["default"] == DEFAULT_DEPARTMENTS
        assert row["default"] == "DEFAULT_DEPARTMENTS"
    else:
        documented = parse_number(row["default"], code["default"])
        assert type(documented) is type(code["default"]), f"{code['name']}: default type"
        assert documented == code["default"], (
            f"{code['name']}: default {row['default']} in docs/ODD.md, {code['default']} in code"
        )
    expected = None if code["low"] is None else (float(code["low"]), float(code["high"]))
    assert parse_range(row["range"]) == expected, (
        f"{code['name']}: range {row['range']} in docs/ODD.md, {expected} in code"
    )


def test_default_departments_table_matches_the_code(odd):
    rows = table(odd, DEPARTMENT_HEADER)
    assert [row["name"] for row in rows] == [d.name for d in DEFAULT_DEPARTMENTS]
    for row, department in zip(rows, DEFAULT_DEPARTMENTS, strict=True):
        for field in DEPARTMENT_HEADER[1:]:
            value = getattr(department, field)
            assert parse_number(row[field], value) == value, (
                f"{department.name}: {field} is {row[field]} in docs/ODD.md, {value} in code"
            )


def test_process_overview_names_every_mechanism(odd):
    overview = section(odd, "3.")
    for mechanism in MECHANISMS:
        assert re.search(rf"`{mechanism}`", overview), (
            f"mechanism {mechanism!r} is not named in the process overview"
        )


def test_process_order_table_matches_step(odd):
    assert "self.batch.step()" in inspect.getsource(OrgModel.step)
    calls = re.findall(r"self\.((?:recorder\.)?\w+)\(\)", inspect.getsource(Batch.step))
    documented = [unquote(row["method"]) for row in table(section(odd, "3."), PROCESS_HEADER)]
    assert documented == calls, f"docs/ODD.md lists {documented}, Batch.step() calls {calls}"


def test_interventions_section_names_every_kind(odd):
    interventions = section(odd, "8.")
    for kind in ONE_OFF + CULTURE_WIDE:
        assert f"`{kind}`" in interventions, f"intervention kind {kind!r} is not described"


def test_plausible_magnitudes_at_the_defaults():
    """MODEL.md's bounds, as section 11.1 states them, for each of 20 default runs."""
    for seed in replication_seeds(2024, 20):
        model = OrgModel(Params(), rng=seed)
        weekly = model.run()
        base = int(model.customers.base_size[0])
        assert weekly["mean_attitude"].between(-0.5, 0.6).all(), seed
        for year in (weekly.iloc[1:53], weekly.iloc[53:105]):
            assert 0.05 <= year["customers_lost"].sum() / base <= 0.40, seed
        assert (weekly["strain_front_line"] < 0.7).all(), seed
        staff = model.employees
        at_bound = (
            (np.abs(staff.attitude) > 0.99)
            | (staff.customer_focus < 0.01)
            | (staff.customer_focus > 0.99)
            | (staff.strain > 0.99)
        )
        assert at_bound.mean() < 0.5, seed
