"""What each property of the pages' components holds, for `eachcustomer.dashboard.guard`.

A value's kind is a check that returns None when the value is of it, else what it should be
in words ("a number", "one of "band", "department""). The kinds come from the properties
themselves (a click count, a path, a chart), from the components of the pages' layouts (a
number box, a slider, a menu whose options never change: one of them) and, for the stores
whose shape the pages rely on, from their makers (a run kept by the page:
`eachcustomer.dashboard.runs.snapshot_problem`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from typing import Any

MAX_SHOWN = 60
"""Characters of a refused value quoted back."""

Kind = Callable[[Any], str | None]
"""A check of one value: None when it is of the kind, else what it should be."""


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | bool) or _number(value)


def number(value: Any) -> str | None:
    """A number box or slider: a finite number, or nothing."""
    return None if value is None or _number(value) else "a number"


def count(value: Any) -> str | None:
    """A click or tick count: a whole number from 0, or nothing."""
    ok = value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0)
    return None if ok else "a whole number of clicks (0 or more)"


def timestamp(value: Any) -> str | None:
    """A time in milliseconds (-1 before any click), or nothing."""
    return None if value is None or _number(value) else "a time in milliseconds"


def text(value: Any) -> str | None:
    """Text, or nothing."""
    return None if value is None or isinstance(value, str) else "text"


def path(value: Any) -> str | None:
    """The page's address path: always text from /."""
    ok = isinstance(value, str) and value.startswith("/")
    return None if ok else "the page's path (text starting with /)"


def flag(value: Any) -> str | None:
    """A switch: true, false, or nothing."""
    return None if value is None or isinstance(value, bool) else "true or false"


def choice(value: Any) -> str | None:
    """An option of a menu or radio group: text or a number, or nothing."""
    return None if _scalar(value) else "one option (text or a number)"


def choices(value: Any) -> str | None:
    """Options ticked in a checklist: a list of texts or numbers, or nothing."""
    if value is None or (isinstance(value, list) and all(_scalar(v) for v in value)):
        return None
    return "a list of options (texts or numbers)"


def one_or_more(value: Any) -> str | None:
    """A value of a component not in the pages' layouts: one option, a list of them, or
    nothing."""
    return None if choice(value) is None or choices(value) is None else "an option or a list"


def among(allowed: list[Any], multi: bool, nothing: bool) -> Kind:
    """The value of a menu whose options never change: one of them (a list of them for a
    multiple choice), or nothing when the menu may be empty."""
    known = [json.dumps(v) for v in allowed]
    listed = ", ".join(known[:8]) + (", ..." if len(known) > 8 else "")

    def check(value: Any) -> str | None:
        if value is None:
            return None if nothing else f"one of {listed}"
        values = value if multi and isinstance(value, list) else [value]
        if (multi or not isinstance(value, list)) and all(
            _scalar(v) and json.dumps(v) in known for v in values
        ):
            return None
        return f"{'a list of' if multi else 'one of'} {listed}"

    return check


def option_values(options: Any) -> list[Any]:
    """The values of a menu's options (dicts with a value, plain values, or a mapping)."""
    if isinstance(options, dict):
        return list(options)
    return [o.get("value") if isinstance(o, dict) else o for o in options or []]


def figure(value: Any) -> str | None:
    """A chart's figure: an object, or nothing."""
    return None if value is None or isinstance(value, dict) else "a chart (an object)"


def anything(_value: Any) -> str | None:
    """Any JSON: what reads it copes with everything (`settings.normalize`, say)."""
    return None


def snapshot(value: Any) -> str | None:
    """A run kept by the page, as `runs.snapshot` makes it, or nothing."""
    from eachcustomer.dashboard.runs import snapshot_problem

    return snapshot_problem(value)


PROPERTY_KINDS: dict[str, Kind] = {
    "n_clicks": count,
    "n_intervals": count,
    "n_clicks_timestamp": timestamp,
    "contents": text,
    "filename": text,
    "pathname": path,
    "search": text,
    "hash": text,
    "href": text,
    "disabled": flag,
    "open": flag,
    "figure": figure,
    "value": one_or_more,
}
"""What each property holds, whatever its component (else `VALUE_KINDS`, `STORE_KINDS`)."""
VALUE_KINDS: dict[str, Kind] = {
    "Slider": number,
    "Dropdown": one_or_more,
    "Checklist": choices,
    "RadioItems": choice,
    "Tabs": text,
    "Textarea": text,
}
"""The `value` of each kind of component (an Input's depends on its type, a menu's on its
options: `value_kind`)."""
MENUS = ("Dropdown", "Checklist", "RadioItems")
STORE_KINDS: dict[str, Kind] = {
    "explore-state": snapshot,
    "explore-live": snapshot,
    "lesson-state": snapshot,
    "session": text,
    "lesson-id": text,
}
"""What a store holds, by id; any other store's readers check what they read."""


def value_kind(component: Any, changing: set[str]) -> Kind | None:
    """The kind of a component's `value`; `changing` holds the ids (`id_key`) of the
    components whose options a callback sets."""
    name = type(component).__name__
    if name == "Input":
        return number if getattr(component, "type", None) == "number" else text
    if name in MENUS and id_key(component.id) not in changing:
        multi = name == "Checklist" or bool(getattr(component, "multi", False))
        clearable = name == "Dropdown" and getattr(component, "clearable", True) is not False
        nothing = multi or clearable  # a radio group always has its choice
        return among(option_values(getattr(component, "options", None)), multi, nothing)
    if name == "Dropdown":
        return choices if getattr(component, "multi", False) else choice
    return VALUE_KINDS.get(name)


def component_kinds(layouts: list[Any], changing: set[str]) -> dict[str, Kind]:
    """The kind of each component's `value` in these layouts, by id (`id_key`)."""
    kinds: dict[str, Kind] = {}
    for component in walk(layouts):
        ident = getattr(component, "id", None)
        kind = None if ident is None else value_kind(component, changing)
        if kind is None:
            continue
        kinds[id_key(ident)] = kind
        if isinstance(ident, dict) and "type" in ident:
            kinds.setdefault(id_key({"type": ident["type"]}), kind)
    return kinds


def option_outputs(callbacks: list[dict[str, Any]]) -> set[str]:
    """The ids (`id_key`) of components whose options some callback (server or browser) sets."""
    found = set()
    for spec in callbacks:
        for part in str(spec.get("output", "")).strip(".").split("..."):
            component, _, prop = part.rpartition(".")
            if prop.split("@")[0] == "options":
                found.add(id_key(declared_id(component)))
    return found


def walk(node: Any) -> Iterator[Any]:
    """Every component of a layout (or list of layouts)."""
    if isinstance(node, list | tuple):
        for item in node:
            yield from walk(item)
        return
    if not hasattr(node, "to_plotly_json"):
        return
    yield node
    yield from walk(getattr(node, "children", None))


def id_key(ident: Any) -> str:
    """A component id as a dictionary key: the id itself, or a pattern id's sorted JSON."""
    return ident if isinstance(ident, str) else json.dumps(ident, sort_keys=True, default=str)


def kind_of(kinds: dict[str, Kind], ident: Any, prop: str) -> Kind:
    """The kind of value a component's property holds."""
    if prop == "data":
        return STORE_KINDS.get(ident, anything) if isinstance(ident, str) else anything
    if prop == "value":
        found = kinds.get(id_key(ident))
        if found is None and isinstance(ident, dict):
            found = kinds.get(id_key({"type": ident.get("type")}))
        if found is not None:
            return found
    return PROPERTY_KINDS.get(prop, anything)


def shown(value: Any) -> str:
    """A value quoted in a message, cut short."""
    text = json.dumps(value, default=str)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def named(ident: Any, prop: str) -> str:
    return f"{id_key(ident)}.{prop}"


def declared_id(declared: str) -> Any:
    """A declared input's id: a string, or a pattern id (JSON text) as a dict."""
    if declared.startswith("{"):
        try:
            return json.loads(declared)
        except ValueError:
            return declared
    return declared


def value_problem(kinds: dict[str, Kind], items: list[Any]) -> str | None:
    """The first value of these inputs or states (as the body sends them) that is not what
    its property holds, in words; None when every one is."""
    for item in items:
        for member in item if isinstance(item, list) else [item]:
            ident, prop, value = member["id"], member["property"], member.get("value")
            if prop == "id":  # a component's id property is its id
                wanted = None if value == ident else f"its own id, {shown(ident)}"
            else:
                wanted = kind_of(kinds, ident, prop)(value)
            if wanted is not None:
                return f"{named(ident, prop)} must be {wanted}, not {shown(value)}"
    return None
