"""GraphML org charts: nodes are employees, edges report to a boss or tie peers."""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from eachcustomer.sim.orgchart.chart import (
    Chart,
    ChartRow,
    NoFacingFlagsError,
    OrgChartError,
    Problems,
    parse_flag,
)

_GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"


def _local(tag: str) -> tuple[str, str]:
    """(namespace, local name) of an ElementTree tag."""
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def _parse_graphml(path: Path, max_rows: int) -> Element:
    name = path.name
    root: Element | None = None
    nodes = 0
    try:
        with path.open("rb") as handle:
            # forbid_dtd: GraphML needs no DTD, and refusing it stops entity expansion
            # (billion laughs) and external references before they are resolved.
            for _, element in iterparse(handle, events=("start",), forbid_dtd=True):
                if root is None:
                    root = element
                    if _local(root.tag) not in ((_GRAPHML_NS, "graphml"), ("", "graphml")):
                        raise OrgChartError(
                            f"{name}: the root element is <{_local(root.tag)[1]}>"
                            ", not <graphml>; expected a GraphML file"
                        )
                if _local(element.tag)[1] == "node":
                    nodes += 1
                    if nodes > max_rows:
                        raise OrgChartError(
                            f"{name}: more than {max_rows} nodes; the limit is max_rows={max_rows}"
                        )
    except DefusedXmlException as exc:
        raise OrgChartError(
            f"{name}: refused: the XML declares a DTD or entities ({exc}); GraphML needs neither"
        ) from None
    except ParseError as exc:
        raise OrgChartError(
            f"{name}: not well-formed XML ({exc}); expected a GraphML file"
        ) from None
    assert root is not None  # a parse without error has a root element
    return root


def load_graphml_chart(
    path: Path, facing_required: bool, max_rows: int, problems: Problems
) -> Chart:
    """The nodes of a GraphML chart as rows, reporting edges as managers, peer edges as ties.

    Node attributes are matched by their `<key attr.name>`, with the keys' defaults; an edge
    source -> target means source reports to target unless its `relation` is "peer".
    `customer_facing` is needed if `facing_required`. Bad nodes and edges are recorded in
    `problems`: a node without an id or a required attribute is left out (blocking); a
    repeated node, a bad flag or a bad edge is reported and the rest read on.
    """
    name = path.name
    root = _parse_graphml(path, max_rows)
    keys: dict[str, tuple[str, str]] = {}  # key id -> (domain, attribute name)
    defaults: dict[tuple[str, str], str] = {}
    for key in (e for e in root if _local(e.tag)[1] == "key"):
        domain, attr = key.get("for", "all"), key.get("attr.name", key.get("id", ""))
        keys[key.get("id", "")] = (domain, attr)
        default = next((d for d in key if _local(d.tag)[1] == "default"), None)
        if default is not None:
            for kind in ("node", "edge") if domain == "all" else (domain,):
                defaults[(kind, attr)] = (default.text or "").strip()
    graphs = [e for e in root if _local(e.tag)[1] == "graph"]
    if len(graphs) != 1:
        raise OrgChartError(
            f"{name}: has {len(graphs)} <graph> elements; an org chart is exactly one graph"
        )

    def data(element: Element, kind: str) -> dict[str, str]:
        values = {a: v for (k, a), v in defaults.items() if k == kind}
        for item in element:
            domain, attr = keys.get(item.get("key", ""), ("", ""))
            if _local(item.tag)[1] == "data" and domain in (kind, "all"):
                values[attr] = (item.text or "").strip()
        return values

    node_attrs = {a for d, a in keys.values() if d in ("node", "all")}
    has_facing = "customer_facing" in node_attrs
    has_complaints = "handles_complaints" in node_attrs
    if facing_required and not has_facing:
        raise NoFacingFlagsError(
            f"{name}: missing required node attribute 'customer_facing'; "
            "required: department, customer_facing; optional: "
            "handles_complaints (customer_facing may be left out only when a "
            "departments table is given)"
        )
    rows: dict[str, ChartRow] = {}
    chart = Chart(name, [], has_facing, has_complaints)
    for node in (e for e in graphs[0] if _local(e.tag)[1] == "node"):
        node_id = node.get("id", "").strip()
        where = f"node {node_id!r}"
        with problems.row(blocking=True):
            if not node_id:
                raise OrgChartError(f"{name}: a <node> has no id; every node needs one")
            values = data(node, "node")
            for attr in ("department", "customer_facing") if facing_required else ("department",):
                if attr not in values:
                    raise OrgChartError(
                        f"{name}: {where}: has no {attr!r}; required node "
                        "attributes: department, customer_facing"
                    )
            with problems.row():
                if node_id in rows:
                    raise OrgChartError(f"{name}: {where}: appears twice; node ids must be unique")
                if any(_local(e.tag)[1] == "graph" for e in node):
                    raise OrgChartError(f"{name}: {where}: holds a nested <graph>; not supported")
            flags: dict[str, bool | None] = dict.fromkeys(("customer_facing", "handles_complaints"))
            for attr in flags:
                if attr in values:
                    with problems.row():
                        flags[attr] = parse_flag(values[attr], name, where, attr)
            rows.setdefault(
                node_id,
                ChartRow(
                    where,
                    node_id,
                    None,
                    values.get("department", ""),
                    flags["customer_facing"],
                    flags["handles_complaints"],
                ),
            )
    problems.check(blocking_only=True)
    if not rows:
        raise OrgChartError(f"{name}: has no <node> elements; expected one node per employee")
    for edge in (e for e in graphs[0] if _local(e.tag)[1] == "edge"):
        source, target = edge.get("source", ""), edge.get("target", "")
        where = f"edge {edge.get('id') or f'{source}->{target}'!r}"
        with problems.row():
            for end in (source, target):
                if end not in rows:
                    raise OrgChartError(f"{name}: {where}: {end!r} is not a node id")
            relation = data(edge, "edge").get("relation", "").lower()
            if relation == "peer":
                chart.peers.append((where, source, target))
            elif relation in ("", "reports_to"):
                if rows[source].manager_id is not None:
                    raise OrgChartError(
                        f"{name}: node {source!r}: reports to both "
                        f"{rows[source].manager_id!r} and {target!r}; an "
                        "employee has one boss (mark other ties relation=peer)"
                    )
                rows[source].manager_id = target
            else:
                raise OrgChartError(
                    f"{name}: {where}: relation {relation!r} is unknown; allowed: "
                    "peer, reports_to (or none, meaning reports_to)"
                )
    chart.rows = list(rows.values())
    return chart
