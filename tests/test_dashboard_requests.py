"""Crafted requests to a served dashboard's callbacks: a clear answer, never an HTTP 500.

Dash's renderer posts every callback to /_dash-update-component; anyone can post anything
there. A malformed body gets HTTP 400 and {"error": what is wrong}; a value its component
could never hold (a string where a number belongs, a list for a click count) gets the
callback refused with the message on the page's notice line
(`eachcustomer.dashboard.guard`). Every callback of every page is sent, in turn, each of its
inputs and states replaced by values of the wrong kind, starting from what the page itself
holds when it opens.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from dash_client import DashTab, served_dashboard

from eachcustomer.dashboard.jobs import NOTICE_ID
from eachcustomer.dashboard.runs import advance
from eachcustomer.dashboard.settings import default_settings

PAGES = (
    "/explore",
    "/organization",
    "/compare",
    "/plan-finder",
    "/experiments",
    "/learn",
    "/class",
)
PAGES_CALLBACK = ".._pages_content.children..._pages_store.data.."
WRONG = ("x", [1], {"a": 1}, -1, 1e308, True)
"""Values of the wrong kind for most properties: text, a list, an object, numbers, a flag."""


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[str]:
    with served_dashboard(tmp_path_factory.mktemp("requests")) as (url, _):
        yield url


def post(url: str, data: bytes) -> tuple[int, Any]:
    """POST to the callbacks' route: the status and the decoded answer (None when empty)."""
    request = urllib.request.Request(
        f"{url}/_dash-update-component",
        data=data,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:
            status, text = answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode()
    try:
        return status, json.loads(text) if text else None
    except ValueError:
        return status, text


def outputs_of(spec: dict[str, Any], props: dict[str, dict[str, Any]]) -> Any:
    """A callback's outputs as the renderer names them: a pattern (ALL) as the list of the
    pages' components it matches."""
    outputs = []
    for part in spec["output"].strip(".").split("..."):
        component, prop = part.rsplit(".", 1)
        declared = {"id": component, "property": prop.split("@")[0]}
        if component.startswith("{"):
            outputs.append(
                [{"id": m["id"], "property": m["property"]} for m in item_for(declared, props)]
            )
        else:
            outputs.append(declared)
    return outputs if spec["output"].startswith("..") else outputs[0]


def components(node: Any) -> Iterator[dict[str, Any]]:
    """Every component of a layout as JSON (its type, namespace and props)."""
    if isinstance(node, list):
        for item in node:
            yield from components(item)
    elif isinstance(node, dict) and "props" in node and "type" in node:
        yield node
        yield from components(node["props"].get("children"))


@pytest.fixture(scope="module")
def page_props(served) -> dict[str, dict[str, Any]]:
    """What the pages hold when they open: each component's props by id (pattern ids as
    sorted JSON), the app's own (settings, ...) and every page's."""
    tab = DashTab(served)
    layout = json.loads(tab.get("/_dash-layout"))
    found = list(components(layout))
    for page in PAGES:
        body = {
            "output": PAGES_CALLBACK,
            "outputs": [
                {"id": "_pages_content", "property": "children"},
                {"id": "_pages_store", "property": "data"},
            ],
            "inputs": [
                {"id": "_pages_location", "property": "pathname", "value": page},
                {"id": "_pages_location", "property": "search", "value": ""},
            ],
            "changedPropIds": ["_pages_location.pathname"],
        }
        status, answer = post(served, json.dumps(body).encode())
        assert status == 200, (page, answer)
        found += components(answer["response"]["_pages_content"]["children"])
    # The browser fills in the locations' properties: the address of the page.
    props: dict[str, dict[str, Any]] = {
        location: {"pathname": "/explore", "search": "", "hash": "", "href": served + "/explore"}
        for location in ("url", "_pages_location")
    }
    for component in found:
        ident = component["props"].get("id")
        if ident is not None:
            key = ident if isinstance(ident, str) else json.dumps(ident, sort_keys=True)
            props[key] = {**props.get(key, {}), **component["props"]}
    return props


def item_for(declared: dict[str, Any], props: dict[str, dict[str, Any]], value: Any = None) -> Any:
    """An input or state as the renderer sends it, holding `value` if given, else the
    page's own; a pattern (ALL) gets every matching component of the pages."""
    ident, prop = declared["id"], declared["property"]
    if not ident.startswith("{"):
        own = props.get(ident, {}).get(prop)
        return {"id": ident, "property": prop, "value": own if value is None else value}
    pattern = json.loads(ident)
    fixed = {k: v for k, v in pattern.items() if not isinstance(v, list)}
    members = []
    for key, held in props.items():
        if key.startswith("{"):
            member = json.loads(key)
            if set(member) == set(pattern) and all(member[k] == v for k, v in fixed.items()):
                own = member if prop == "id" else held.get(prop)
                members.append({"id": member, "property": prop, "value": own})
    if value is not None:
        members = members[:1] or [
            {"id": {k: (1 if isinstance(v, list) else v) for k, v in pattern.items()}}
        ]
        members = [{**members[0], "property": prop, "value": value}]
    return members


def body_for(
    spec: dict[str, Any], props: dict[str, dict[str, Any]], index: int, value: Any
) -> dict[str, Any]:
    """The request for a callback with its `index`-th input or state replaced by `value`."""
    declared = spec["inputs"] + spec["state"]
    items = [item_for(d, props, value if i == index else None) for i, d in enumerate(declared)]
    target = declared[index]
    return {
        "output": spec["output"],
        "outputs": outputs_of(spec, props),
        "inputs": items[: len(spec["inputs"])],
        "state": items[len(spec["inputs"]) :],
        "changedPropIds": [f"{target['id']}.{target['property']}"],
    }


def said(answer: Any) -> str:
    """What an answer tells the page: the notice line, or the error of a refusal."""
    if not isinstance(answer, dict):
        return ""
    if "error" in answer:
        return str(answer["error"])
    return str(((answer.get("sideUpdate") or {}).get(NOTICE_ID) or {}).get("children", ""))


GROUPS = {
    "explore": ("explore", "settings", "presentation"),
    "organization": ("org",),
    "compare": ("compare",),
    "plan": ("planfinder",),
    "sweep": ("sweep",),
    "learn": ("lesson",),
    "firm": ("firm",),
    "class": ("class",),
}


def group_of(spec: dict[str, Any]) -> str:
    """The page a callback belongs to, by the first component it names that is a page's."""
    for part in [spec["output"], *(i["id"] for i in spec["inputs"] + spec["state"])]:
        for name in re.findall(r"[A-Za-z_][\w-]*", part):
            for group, prefixes in GROUPS.items():
                if name.startswith(prefixes):
                    return group
    return "other"


def test_malformed_bodies_get_400_and_say_what_is_wrong(served):
    cases = {
        b"[1, 2]": "must be a JSON object",
        b"not json": "must be JSON",
        b'"text"': "must be a JSON object",
        b"{}": "names no callback",
        b'{"output": 5}': "names no callback",
        json.dumps(
            {"output": "nope.children", "outputs": {"id": "nope", "property": "children"}}
        ).encode(): 'writes "nope.children"',
        json.dumps(
            {
                "output": "planfinder-size.children",
                "outputs": {"id": "planfinder-size", "property": "children"},
                "inputs": [],
            }
        ).encode(): "this callback takes 3, the request sent 0",
        json.dumps(
            {
                "output": "planfinder-size.children",
                "outputs": {"id": "planfinder-size", "property": "children"},
                "inputs": [
                    {"id": "planfinder-population", "property": "value", "value": 4},
                    {"id": "planfinder-replications", "property": "value", "value": 4},
                    {"id": "planfinder-generations", "property": "value", "value": 4},
                ],
            }
        ).encode(): "reads planfinder-replications.value there",
    }
    for data, words in cases.items():
        status, answer = post(served, data)
        assert status == 400, (data, status, answer)
        assert words in answer["error"], (data, answer)


def test_a_string_where_a_number_belongs_is_refused_on_the_page(served, page_props):
    tab = DashTab(served)
    spec = next(
        c
        for c in tab.callbacks
        if any(i["id"] == "explore-add" for i in c["inputs"])
        and any(s["id"] == "explore-add-start" for s in c["state"])
    )
    index = len(spec["inputs"]) + [s["id"] for s in spec["state"]].index("explore-add-start")
    body = body_for(spec, page_props, index, "twenty-six")
    body["inputs"][0]["value"] = 1  # the Add button pressed
    status, answer = post(served, json.dumps(body).encode())
    assert status == 200, answer
    assert answer["response"] == {}  # nothing changed: not the settings
    message = said(answer)
    assert 'explore-add-start.value must be a number, not "twenty-six"' in message


@pytest.mark.parametrize("page", [*GROUPS, "other"])
def test_no_crafted_value_gives_a_500(served, page_props, page):
    """Every input and state of every callback of a page, in turn, of the wrong kind."""
    tab = DashTab(served)
    mine = [c for c in tab.callbacks if not c.get("clientside_function") and group_of(c) == page]
    assert mine
    failures, refused = [], 0
    for spec in mine:
        declared = spec["inputs"] + spec["state"]
        for index, target in enumerate(declared):
            values = WRONG
            if spec.get("background"):
                # A background callback's job runs whatever it is given: only values that
                # can never be valid (no job starts), and stores are read by the job.
                if target["property"] == "data":
                    continue
                values = ({"a": 1},)
            for value in values:
                status, answer = post(
                    served, json.dumps(body_for(spec, page_props, index, value)).encode()
                )
                if status >= 500:
                    failures.append((spec["output"][:60], target, value, str(answer)[:200]))
                elif said(answer).startswith("This page sent"):
                    refused += 1
                    assert f".{target['property']}" in said(answer), said(answer)
    assert not failures, "\n".join(map(str, failures))
    assert refused > 0


def test_a_stored_run_that_is_not_one_is_refused_and_a_real_one_is_drawn(served, page_props):
    tab = DashTab(served)
    spec = next(
        c
        for c in tab.callbacks
        if c["output"].startswith("..explore-band.figure..")
        and [i["id"] for i in c["inputs"]] == ["explore-why-by", "explore-why-mode", "presentation"]
    )
    index = len(spec["inputs"])  # State explore-state
    run = json.loads(json.dumps(advance({**default_settings(), "overrides": SMALL}, None, "run")))
    status, answer = post(served, json.dumps(body_for(spec, page_props, index, run)).encode())
    assert status == 200 and "explore-band" in answer["response"], answer
    broken = {**run, "table": {**run["table"], "week": run["table"]["week"][:-1]}}
    status, answer = post(served, json.dumps(body_for(spec, page_props, index, broken)).encode())
    assert status == 200 and answer["response"] == {}
    assert "explore-state.data must be a run as the dashboard keeps it" in said(answer)
    assert "as many" in said(answer)


SMALL = {"n_employees": 30, "horizon_weeks": 3}


def test_a_stored_result_that_cannot_be_drawn_says_so(served, page_props):
    tab = DashTab(served)
    for store, what in (("planfinder-result", "plan search"), ("compare-result", "comparison")):
        spec = next(c for c in tab.callbacks if [i["id"] for i in c["inputs"]][:1] == [store])
        body = body_for(spec, page_props, 0, {"sentence": 1, "seeds": "x"})
        status, answer = post(served, json.dumps(body).encode())
        assert status == 200, answer
        assert f"the {what} this page keeps ({store}.data) cannot be drawn" in said(answer)


def test_the_plan_finder_never_counts_negative_runs(served, page_props):
    tab = DashTab(served)
    spec = next(c for c in tab.callbacks if c["output"] == "planfinder-size.children")
    for index in range(3):
        status, answer = post(served, json.dumps(body_for(spec, page_props, index, -1)).encode())
        assert status == 200, answer
        text = json.dumps(answer)
        assert "At most -" not in text
        assert "must be a whole number from" in text, text
