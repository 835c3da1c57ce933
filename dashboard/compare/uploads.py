"""Plans from an uploaded scenario file, for the Compare page's menu (this session only).

A scenario file (the plan finder's recommended.toml, say) is read by the project's scenario
reader from a private temporary folder, never executed. Its [plans], and its own schedule
when that is not one of them, become menu entries; the session keeps them in the browser as
intervention dicts and `entries` checks them again before they reach `eachcustomer.sim`, like all
settings. They run on the session's organization and settings, as library plans do.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from eachcustomer.dashboard.settings import safe_filename, user_message
from eachcustomer.dashboard.uploads import decode_upload
from eachcustomer.experiments.loading.scenario_files import choose_plan, read_scenario
from eachcustomer.sim.interventions import Intervention
from eachcustomer.sim.params import describe_validation_error

FILE_PLAN = "file"
"""Menu values of file plans start with this: file:<file name>/<plan> or ...#schedule."""
SCHEDULE = "#schedule"
MAX_FILE_PLANS = 12
MAX_PLAN_ITEMS = 12
UPLOAD_LIMIT = None
"""A scenario's size says nothing like an org chart's head count."""


def menu_value(filename: str, plan: str | None) -> str:
    """The menu value of a file's plan (None: its own schedule). Values name the file, so a
    newly uploaded file's plans never stand in for a choice made from another's."""
    return f"{FILE_PLAN}:{filename}{SCHEDULE}" if plan is None else f"{FILE_PLAN}:{filename}/{plan}"


def read_plans(contents: Any, filename: Any) -> tuple[dict[str, Any] | None, str]:
    """(the store's data, a sentence) for a readable scenario file, (None, the problem) else.

    The store holds {"filename", "plans": [{"value", "label", "name", "interventions"}]}.
    """
    name = safe_filename(filename, "scenario.toml")
    if not name.lower().endswith(".toml"):
        return None, f"{name}: unknown file type; upload a scenario file (.toml)"
    text, problem = decode_upload(contents, name, limit=UPLOAD_LIMIT, expected="a title and plans")
    if problem is not None or text is None:
        return None, problem or f"{name}: empty file"
    try:
        # The reader wants a path; its messages name it, so they get the file's name back.
        with tempfile.TemporaryDirectory(prefix="eachcustomer-plans-") as folder:
            path = Path(folder) / name
            path.write_text(text, encoding="utf-8")
            try:
                spec = read_scenario(path)
                schedule = choose_plan(spec, path, None)
            except ValueError as error:
                return None, user_message(error).replace(str(path), name)
    except Exception as error:  # noqa: BLE001 - a hostile file must never crash the server
        return None, f"{name}: cannot be read ({type(error).__name__})"
    plans: dict[str | None, tuple[Intervention, ...]] = {
        key: value for key, value in spec.plans.items()
    }
    if schedule and schedule not in plans.values():
        plans = {None: schedule, **plans}  # the recommended plan is both: list it once
    if not plans:
        return None, (
            f"{name}: no plans: the file has neither [plans] nor [[interventions]] to compare"
        )
    if len(plans) > MAX_FILE_PLANS:
        return None, f"{name}: plans: {len(plans)} plans; the page takes at most {MAX_FILE_PLANS}"
    too_long = [plan for plan, items in plans.items() if len(items) > MAX_PLAN_ITEMS]
    if too_long:
        where = "interventions" if too_long[0] is None else f"plans.{too_long[0]}"
        return None, f"{name}: {where}: more than {MAX_PLAN_ITEMS} interventions"
    stored = [
        {
            "value": menu_value(name, plan),
            "label": f"the file's schedule ({name})" if plan is None else f"{plan} (from {name})",
            "name": plan,
            "interventions": [item.model_dump(mode="json") for item in items],
        }
        for plan, items in plans.items()
    ]
    listed = ", ".join(str(entry["label"]) for entry in stored)
    return {"filename": name, "plans": stored}, f"Added to the plans: {listed}."


def entries(stored: Any) -> dict[str, tuple[str, str, tuple[Intervention, ...]]]:
    """The session's file plans as {menu value: (shown name, spec name, interventions)}.

    What comes back from the browser is checked again: a malformed entry is dropped, an
    invalid intervention refused with its key.

    Raises:
        ValueError: an intervention the model cannot run, named by plan and index.
    """
    if not isinstance(stored, dict) or not isinstance(stored.get("plans"), list):
        return {}
    filename = safe_filename(stored.get("filename"), "scenario.toml")
    stem = Path(filename).stem
    plans = {}
    for entry in stored["plans"][:MAX_FILE_PLANS]:
        if not isinstance(entry, dict) or not isinstance(entry.get("interventions"), list):
            continue
        plan = entry.get("name")
        if plan is not None and not isinstance(plan, str):
            continue
        key = "interventions" if plan is None else f"plans.{plan}"
        items = []
        for index, item in enumerate(entry["interventions"][:MAX_PLAN_ITEMS]):
            try:
                items.append(Intervention(**item))
            except (ValidationError, TypeError) as error:
                raise ValueError(
                    describe_validation_error(error, filename, f"{key}.{index}.")
                    if isinstance(error, ValidationError)
                    else f"{filename}: {key}.{index}: {error}"
                ) from None
        shown = f"the file's schedule ({filename})" if plan is None else f"{plan} (from {filename})"
        # A sweep spec names plans; "<stem>:<plan>" cannot clash with a library or
        # scenario plan of the same name but other interventions.
        spec_name = f"{stem}:{'schedule' if plan is None else plan}"
        plans[menu_value(filename, plan)] = (shown, spec_name, tuple(items))
    return plans


def menu_options(stored: Any) -> list[dict[str, str]]:
    """The file plans as dropdown options (none for a malformed store)."""
    try:
        return [
            {"label": shown, "value": value} for value, (shown, _, _) in entries(stored).items()
        ]
    except ValueError:
        return []
