"""Requests to the dashboard's callbacks, checked in one place before any callback runs.

Dash's renderer posts every server-side callback to `/_dash-update-component` as a JSON
object: which callback ("output", "outputs"), and the values of its inputs and states, each
with its component's id and property. A browser only ever sends what the page holds, but
anyone can post anything; a crafted request must get a clear answer, never a traceback and
an HTTP 500. `install` adds two checks to the app:

- The body (`body_problem`), before Dash reads it: a JSON object naming a callback of this
  app, with as many inputs and states as it declares, each naming the component and
  property it declares. Anything else is refused with HTTP 400 and {"error": message}.
- The values (`eachcustomer.dashboard.kinds.value_problem`), by wrapping every callback (the
  pages', and Dash's own page routing): each value must be of the kind its property holds
  (`eachcustomer.dashboard.kinds`): a number box's value a number or nothing, a click count
  a whole number, a path a string, a store what its readers expect (a run kept by the page
  has the shape `runs.snapshot` gives it). A callback given anything else does not run: the
  page's notice line (`NOTICE_ID`) says what was wrong, and nothing else changes. A
  finished job's result kept by the page (`RESULT_STORES`) that cannot be drawn says so.

What a value means (a scenario that exists, a week within the run) is checked where it is
used, by the settings' own checks (`eachcustomer.dashboard.settings.normalize`,
`build_setup`), which answer with messages on the page too.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import Any

import dash
from flask import Response, request

from eachcustomer.dashboard.jobs import NOTICE_ID
from eachcustomer.dashboard.kinds import (
    Kind,
    component_kinds,
    declared_id,
    named,
    option_outputs,
    shown,
    value_problem,
)

DISPATCH = "_dash-update-component"
"""The route Dash's renderer posts callbacks to."""
LOG = logging.getLogger(__name__)


# --- the body of a request ------------------------------------------------------------------


def _is_item(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and isinstance(item.get("property"), str)
        and isinstance(item.get("id"), str | dict)
    )


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
        wanted = declared_id(want["id"])
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
        declared.append({"id": declared_id(component), "property": prop.split("@")[0]})
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


def on_page(message: str) -> str:
    """A callback's answer that changes nothing but the page's notice line."""
    notice = (
        f"This page sent the dashboard something it cannot use: {message}. Nothing was "
        "changed; reload the page if this persists."
    )
    return json.dumps(
        {"multi": True, "response": {}, "sideUpdate": {NOTICE_ID: {"children": notice}}}
    )


RESULT_STORES = {
    "compare-result": "comparison",
    "planfinder-result": "plan search",
    "firm-result": "fit",
}
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
