"""Requests to the dashboard's callbacks, checked in one place before any callback runs.

Dash's renderer posts every server-side callback to `/_dash-update-component` as a JSON
object: which callback ("output", "outputs"), and the values of its inputs and states, each
with its component's id and property. A browser only ever sends what the page holds, but
anyone can post anything; a crafted request must get a clear answer, never a traceback and
an HTTP 500. `install` adds two checks to the app:

- The body (`body_problem`), before Dash reads it: a JSON object naming a callback of this
  app, with as many inputs and states as it declares, each naming the component and
  property it declares. Anything else is refused with HTTP 400 and {"error": message}.
- The values (`value_problem`), by wrapping every callback (the pages', and Dash's own page
  routing): each value must be of the kind its property holds (`kind_of`): a number box's
  value a number or nothing, a click count a whole number, a path a string, a store what
  its readers expect (a run kept by the page has the shape `runs.snapshot` gives it,
  `runs.snapshot_problem`). A callback given anything else does not run: the page's notice
  line (`NOTICE_ID`) says what was wrong, and nothing else changes.

What a value means (a scenario that exists, a week within the run) is checked where it is
used, by the settings' own checks (`eachcustomer.dashboard.settings.normalize`,
`build_setup`), which answer with messages on the page too.
"""

from __future__ import annotations

import functools
import json
import logging
import math
from collections.abc import Callable, Iterator
from typing import Any

import dash
from flask import Response, request

from eachcustomer.dashboard.jobs import NOTICE_ID

DISPATCH = "_dash-update-component"
"""The route Dash's renderer posts callbacks to."""
MAX_SHOWN = 60
"""Characters of a refused value quoted back."""
LOG = logging.getLogger(__name__)

Kind = Callable[[Any], str | None]
"""A check of one value: None when it is of the kind, else what it should be."""


# --- kinds of value -------------------------------------------------------------------------


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
                found.add(id_key(_declared_id(component)))
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


# --- the body of a request ------------------------------------------------------------------


def _is_item(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and isinstance(item.get("property"), str)
        and isinstance(item.get("id"), str | dict)
    )


def _declared_id(declared: str) -> Any:
    """A declared input's id: a string, or a pattern id (JSON text) as a dict."""
    if declared.startswith("{"):
        try:
            return json.loads(declared)
        except ValueError:
            return declared
    return declared


def _matches(sent: Any, declared: Any) -> bool:
    """Does a sent id fit a declared one (a pattern's wildcards fit any value)?"""
    if isinstance(declared, str):
        return sent == declared
    if not isinstance(sent, dict) or set(sent) != set(declared):
        return False
    return all(isinstance(want, list) or sent[key] == want for key, want in declared.items())


def _items_problem(sent: Any, declared: list[dict[str, Any]], where: str) -> str | None:
    """Do the sent inputs (or states) match the callback's declared ones, in order?"""
    if sent is None and not declared:
        return None
    if not isinstance(sent, list):
        return f"{where} must be a list"
    if len(sent) != len(declared):
        return f"{where}: this callback takes {len(declared)}, the request sent {len(sent)}"
    for index, (item, want) in enumerate(zip(sent, declared, strict=True)):
        wanted = _declared_id(want["id"])
        pattern = isinstance(wanted, dict) and any(isinstance(v, list) for v in wanted.values())
        if pattern != isinstance(item, list):
            shape = "a list of components" if pattern else "a component"
            return f"{where}[{index}] must be {shape}"
        group = item if pattern else [item]
        for member in group:
            if not _is_item(member):
                return f"{where}[{index}] must be an object with an id and a property"
            if member["property"] != want["property"] or not _matches(member["id"], wanted):
                return (
                    f"{where}[{index}] is {named(member['id'], member['property'])}; this "
                    f"callback reads {named(wanted, want['property'])} there"
                )
    return None


def declared_outputs(output: str) -> list[dict[str, Any]]:
    """A callback's outputs from its key ("..a.children...b.value@hash.." or "a.children"):
    each id (a pattern as a dict) and property."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    declared = []
    for part in parts:
        component, _, prop = part.rpartition(".")
        declared.append({"id": _declared_id(component), "property": prop.split("@")[0]})
    return declared


def _outputs_problem(sent: Any, output: str, callback: dict[str, Any]) -> str | None:
    """Do the sent outputs name the outputs the callback writes, in order?"""
    if callback.get("no_output"):
        return None
    declared = declared_outputs(output)
    several = output.startswith("..")
    if several and not isinstance(sent, list):
        return "outputs must be a list: this callback writes several"
    listed = sent if several else [sent]
    if len(listed) != len(declared):
        return f"outputs: this callback writes {len(declared)}, the request names {len(listed)}"
    for index, (item, want) in enumerate(zip(listed, declared, strict=True)):
        pattern = isinstance(want["id"], dict)
        if pattern != isinstance(item, list):
            return (
                f"outputs[{index}] must be {'a list of components' if pattern else 'a component'}"
            )
        for member in item if pattern else [item]:
            if (
                not _is_item(member)
                or member["property"].split("@")[0] != want["property"]  # @: a duplicate
                or not _matches(member["id"], want["id"])
            ):
                return f"outputs[{index}] must be {named(want['id'], want['property'])}"
    return None


def body_problem(body: Any, callbacks: dict[str, dict[str, Any]]) -> str | None:
    """What is wrong with a `_dash-update-component` body, or None."""
    if not isinstance(body, dict):
        return (
            "the body must be a JSON object naming a callback and its inputs, as the "
            "dashboard's pages send it"
        )
    output = body.get("output")
    if not isinstance(output, str):
        return "the body names no callback: 'output' must be the text of a callback's outputs"
    callback = callbacks.get(output)
    if callback is None:
        return f"no callback of this dashboard writes {shown(output)}"
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        return "changedPropIds must be a list of texts"
    return (
        _outputs_problem(body.get("outputs"), output, callback)
        or _items_problem(body.get("inputs"), callback["inputs"], "inputs")
        or _items_problem(body.get("state"), callback["state"], "state")
    )


def refuse(message: str, status: int = 400) -> Response:
    """A request the dashboard does not serve: the status and {"error": message}."""
    return Response(json.dumps({"error": message}), status=status, mimetype="application/json")


# --- the values -----------------------------------------------------------------------------


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


def on_page(message: str) -> str:
    """A callback's answer that changes nothing but the page's notice line."""
    notice = (
        f"This page sent the dashboard something it cannot use: {message}. Nothing was "
        "changed; reload the page if this persists."
    )
    return json.dumps(
        {"multi": True, "response": {}, "sideUpdate": {NOTICE_ID: {"children": notice}}}
    )


RESULT_STORES = {"compare-result": "comparison", "planfinder-result": "plan search"}
"""Stores holding a finished job's result, by what it is: drawn by pure functions that
read them whole. One the dashboard did not write (or an older version wrote) cannot be
drawn, and the page says so: the job's result is not the user's input to check field by
field."""


def stored_result(items: list[Any]) -> str | None:
    """The result store among these inputs and states holding something: what it is, and
    its id."""
    for item in items:
        if isinstance(item, dict) and item.get("id") in RESULT_STORES and item.get("value"):
            return f"{RESULT_STORES[item['id']]} this page keeps ({item['id']}.data)"
    return None


def checked(function: Callable[..., Any], kinds: dict[str, Kind]) -> Callable[..., Any]:
    """A callback that runs only when its inputs and states are of their kinds."""

    @functools.wraps(function)
    def callback(*args: Any, **kwargs: Any) -> Any:
        if request.args.get("cacheKey"):
            # A poll for a background job's progress: the renderer blanks the values (the
            # job has the ones it was started with, checked then).
            return function(*args, **kwargs)
        context = kwargs.get("callback_context")
        items = list(getattr(context, "inputs_list", None) or [])
        items += list(getattr(context, "states_list", None) or [])
        problem = value_problem(kinds, items)
        if problem is not None:
            LOG.warning("refused a callback request: %s", problem)
            return on_page(problem)
        result = stored_result(items)
        if result is None:
            return function(*args, **kwargs)
        try:
            return function(*args, **kwargs)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as error:
            LOG.warning("the %s could not be drawn", result, exc_info=True)
            return on_page(
                f"the {result} cannot be drawn ({type(error).__name__}: "
                f"{shown(str(error))}): run it again"
            )

    callback.checked = True  # type: ignore[attr-defined]
    return callback


# --- the app --------------------------------------------------------------------------------


def page_layouts() -> list[Any]:
    """Every registered page's layout, as a new visitor gets it."""
    layouts = []
    for page in dash.page_registry.values():
        layout = page.get("layout")
        try:
            layouts.append(layout() if callable(layout) else layout)
        except Exception:  # noqa: BLE001 - a page that needs arguments is walked without them
            LOG.debug("page %s: layout not walked", page.get("path"))
    return layouts


def install(app: dash.Dash) -> None:
    """Check every request to the app's callbacks: its body (HTTP 400 when malformed) and
    its values (a message on the page when they are not of their kinds).

    The kinds are read from the layouts here, once, before the server answers anything.
    """
    from dash._callback import GLOBAL_CALLBACK_LIST

    from eachcustomer.dashboard.runs import snapshot_columns

    snapshot_columns()  # read once, now, rather than by the first request that needs it
    route = app.config.routes_pathname_prefix + DISPATCH
    changing = option_outputs([*GLOBAL_CALLBACK_LIST, *getattr(app, "_callback_list", [])])
    kinds = component_kinds([app.layout, *page_layouts()], changing)

    def check_request() -> Response | None:
        if request.path != route or request.method != "POST":
            return None
        # Dash gathers the callbacks (its own page routing too) at its first request, in a
        # hook that runs before this one: each is wrapped once.
        for entry in app.callback_map.values():
            if "callback" in entry and not getattr(entry["callback"], "checked", False):
                entry["callback"] = checked(entry["callback"], kinds)
        body = request.get_json(force=True, silent=True)
        if body is None:
            return refuse(
                "Not a request this dashboard serves: the body must be JSON (a callback and "
                "its inputs), and it is not."
            )
        problem = body_problem(body, app.callback_map)
        if problem is not None:
            LOG.warning("refused a callback request: %s", problem)
            return refuse(f"Not a request this dashboard serves: {problem}.")
        return None

    app.server.before_request(check_request)
