"""Tests for eachcustomer.sim.orgchart: loading CSV/GraphML org charts, their errors, and round
trips."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from eachcustomer.sim.organization import Organization, OrganizationError, generate_organization
from eachcustomer.sim.orgchart import (
    MAX_LISTED_PROBLEMS,
    OrgChartError,
    load_org_chart,
    write_org_chart_csv,
)
from eachcustomer.sim.params import Params

DATA = Path(__file__).resolve().parent.parent / "scenarios" / "data"
NO_RANDOM_TIES = Params(peer_tie_probability=0.0, cross_department_ties=0.0)

# ceo -> s (sales head) -> s1, s2; ceo -> c (service head) -> c1; ceo -> b (back office)
SMALL_CSV = """employee_id,manager_id,department,customer_facing,handles_complaints
ceo,,exec,no,no
s,ceo,sales,false,false
c,ceo,service,0,0
s1,s,sales,TRUE,false
s2,s,sales,yes,no
c1,c,service,1,1
b,ceo,ops,False,No
"""

GRAPHML_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="d0" for="node" attr.name="department" attr.type="string"/>
  <key id="d1" for="node" attr.name="customer_facing" attr.type="boolean"/>
  <key id="d2" for="node" attr.name="handles_complaints" attr.type="boolean">
    <default>false</default>
  </key>
  <key id="r" for="edge" attr.name="relation" attr.type="string"/>
  <graph edgedefault="directed">
"""


def node(node_id: str, department: str, facing: str, complaints: str | None = None) -> str:
    extra = f'<data key="d2">{complaints}</data>' if complaints is not None else ""
    return (
        f'<node id="{node_id}"><data key="d0">{department}</data>'
        f'<data key="d1">{facing}</data>{extra}</node>\n'
    )


def edge(source: str, target: str, relation: str | None = None) -> str:
    data = f'<data key="r">{relation}</data>' if relation else ""
    return f'<edge source="{source}" target="{target}">{data}</edge>\n'


SMALL_GRAPHML = (
    GRAPHML_HEAD
    + node("ceo", "exec", "false")
    + node("s", "sales", "false")
    + node("c", "service", "0")
    + node("s1", "sales", "true")
    + node("s2", "sales", "yes", "no")
    + node("c1", "service", "true", "true")
    + node("b", "ops", "false")
    + edge("s", "ceo")
    + edge("c", "ceo")
    + edge("s1", "s")
    + edge("s2", "s", "reports_to")
    + edge("c1", "c")
    + edge("b", "ceo")
    + "</graph></graphml>\n"
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def assert_same(a: Organization, b: Organization) -> None:
    for name in (
        "boss",
        "department",
        "department_customer_weight",
        "customer_facing",
        "handles_complaints",
        "peer_ties",
        "level",
        "distance_to_customer",
    ):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert a.department_names == b.department_names
    assert a.employee_ids == b.employee_ids


def test_small_csv_loads_with_hand_computed_structure(tmp_path: Path) -> None:
    org = load_org_chart(write(tmp_path, "org.csv", SMALL_CSV), params=NO_RANDOM_TIES)
    assert org.employee_ids == ("ceo", "s", "c", "s1", "s2", "c1", "b")
    np.testing.assert_array_equal(org.boss, [-1, 0, 0, 1, 1, 2, 0])
    np.testing.assert_array_equal(org.level, [1, 2, 2, 3, 3, 3, 2])
    # Front line 1; heads 2; chief 3; back office: b -> ceo -> s -> s1 is 3 hops, so 4.
    np.testing.assert_array_equal(org.distance_to_customer, [3, 2, 2, 1, 1, 1, 4])
    np.testing.assert_array_equal(org.customer_facing, [0, 0, 0, 1, 1, 1, 0])
    np.testing.assert_array_equal(org.handles_complaints, [0, 0, 0, 0, 0, 1, 0])
    assert org.department_names == ("exec", "sales", "service", "ops")
    np.testing.assert_array_equal(org.department, [0, 1, 2, 1, 1, 2, 3])
    # No table, names not in Params' defaults: 0.5 where anyone faces customers, else 0.
    np.testing.assert_array_equal(org.department_customer_weight, [0.0, 0.5, 0.5, 0.0])
    assert org.peer_ties.shape == (0, 2)


def test_peer_ties_follow_params_and_are_reproducible(tmp_path: Path) -> None:
    path = write(tmp_path, "org.csv", SMALL_CSV)
    every_pair = Params(peer_tie_probability=1.0, cross_department_ties=0.0)
    org = load_org_chart(path, params=every_pair)
    # Team members: {s, c, b} under ceo and {s1, s2} under s.
    assert {tuple(p) for p in org.peer_ties.tolist()} == {(1, 2), (1, 6), (2, 6), (3, 4)}
    assert_same(load_org_chart(path), load_org_chart(path))


def test_params_departments_supply_weights_by_name(tmp_path: Path) -> None:
    text = SMALL_CSV.replace("service", "Customer Service")
    org = load_org_chart(write(tmp_path, "org.csv", text))
    # "Customer Service" matches Params' "customer service" (0.5); "sales" too (0.5).
    names = dict(zip(org.department_names, org.department_customer_weight, strict=True))
    assert names == {"exec": 0.0, "sales": 0.5, "Customer Service": 0.5, "ops": 0.0}


def test_graphml_loads_same_as_csv(tmp_path: Path) -> None:
    from_csv = load_org_chart(write(tmp_path, "org.csv", SMALL_CSV))
    from_graphml = load_org_chart(write(tmp_path, "org.graphml", SMALL_GRAPHML))
    assert_same(from_csv, from_graphml)


def test_graphml_peer_edges_become_peer_ties(tmp_path: Path) -> None:
    text = SMALL_GRAPHML.replace(
        "</graph>", edge("b", "c1", "peer") + edge("s", "ceo", "peer") + "</graph>"
    )
    org = load_org_chart(write(tmp_path, "org.xml", text), params=NO_RANDOM_TIES)
    # b-c1 is kept; s-ceo is already a reporting line, so it is not added twice.
    np.testing.assert_array_equal(org.peer_ties, [[5, 6]])
    assert org.distance_to_customer[6] == 2


def test_krackhardt_with_departments_table_and_staff() -> None:
    chart = DATA / "krackhardt_high_tech.csv"
    org = load_org_chart(
        chart, departments=DATA / "krackhardt_departments.csv", staff_per_manager=5
    )
    managers = set(np.loadtxt(chart, delimiter=",", skiprows=1, usecols=1, dtype=str))
    leaves = 21 - len(managers - {""})
    assert leaves == 16
    assert org.size == 21 + 5 * leaves
    ids = list(org.employee_ids)
    chief = ids.index("7")
    assert org.boss[chief] == -1 and np.count_nonzero(org.boss < 0) == 1
    assert org.level[chief] == 1
    assert [ids[i] for i in np.flatnonzero(org.level == 2)] == ["2", "14", "18", "21"]
    assert np.all(org.level[:21][np.array(ids[:21]) != "7"] >= 2)
    assert org.department_names[org.department[chief]] == "0"
    # Only generated staff of departments 1 (sales) and 2 (service) face customers.
    names = np.array(org.department_names)[org.department]
    np.testing.assert_array_equal(
        org.customer_facing, (org.level == 4) & np.isin(names, ["1", "2"])
    )
    np.testing.assert_array_equal(org.handles_complaints, org.customer_facing & (names == "2"))
    assert ids[21:26] == ["1.s1", "1.s2", "1.s3", "1.s4", "1.s5"]
    weights = dict(zip(org.department_names, org.department_customer_weight, strict=True))
    assert weights == {"0": 0.0, "1": 0.5, "2": 0.5, "3": 0.0, "4": 0.0}


def test_krackhardt_copy_is_identical_to_shared_data() -> None:
    shared = Path(__file__).resolve().parents[2] / "shared" / "data" / "krackhardt_high_tech.csv"
    if not shared.exists():
        pytest.skip("shared data folder not present")
    assert (DATA / "krackhardt_high_tech.csv").read_bytes() == shared.read_bytes()


def test_no_flags_column_uses_table_and_generator_rule(tmp_path: Path) -> None:
    chart = write(
        tmp_path,
        "org.csv",
        "employee_id,manager_id,department\n1,,hq\n2,1,shop\n3,2,shop\n4,1,depot\n",
    )
    table = write(
        tmp_path, "depts.csv", "department,customer_facing\nSHOP,yes\nhq,no\ndepot,no\nunused,no\n"
    )
    org = load_org_chart(chart, departments=table, params=NO_RANDOM_TIES)
    np.testing.assert_array_equal(org.customer_facing, [0, 0, 1, 0])
    np.testing.assert_array_equal(org.distance_to_customer, [3, 2, 1, 4])


def test_round_trip_of_loaded_chart(tmp_path: Path) -> None:
    org = load_org_chart(write(tmp_path, "org.csv", SMALL_CSV))
    out = tmp_path / "again.csv"
    write_org_chart_csv(org, out)
    assert_same(org, load_org_chart(out))


def test_round_trip_of_generated_organization(tmp_path: Path) -> None:
    params = Params(n_employees=200)
    org = generate_organization(params, np.random.default_rng(0))
    chart, table = tmp_path / "gen.csv", tmp_path / "gen_departments.csv"
    write_org_chart_csv(org, chart, departments=table)
    back = load_org_chart(chart, departments=table, params=params)
    for name in ("boss", "customer_facing", "handles_complaints", "level", "distance_to_customer"):
        np.testing.assert_array_equal(getattr(back, name), getattr(org, name), err_msg=name)
    # Same rng draws on the same tree: the same ties, only sorted by the loader.
    np.testing.assert_array_equal(back.peer_ties, np.unique(np.sort(org.peer_ties), axis=0))
    assert back.employee_ids == org.employee_ids
    names = np.array(org.department_names)
    np.testing.assert_array_equal(
        np.array(back.department_names)[back.department], names[org.department]
    )
    weights = dict(zip(org.department_names, org.department_customer_weight, strict=True))
    assert dict(zip(back.department_names, back.department_customer_weight, strict=True)) == weights


# --- errors ---------------------------------------------------------------------------

HEADER = "employee_id,manager_id,department,customer_facing\n"

CSV_ERRORS = [
    ("empty", "", r"^org\.csv: the file is empty"),
    ("header only", HEADER, r"^org\.csv: has a header but no rows"),
    (
        "missing column",
        "employee_id,manager_id,customer_facing\n1,,yes\n",
        r"^org\.csv: line 1: missing required column 'department'; required: employee_id, "
        r"manager_id, department, customer_facing",
    ),
    (
        "duplicate id",
        HEADER + "1,,a,no\n2,1,a,yes\n\n1,2,a,yes\n",
        r"^org\.csv: line 5: employee_id 1 duplicates line 2",
    ),
    (
        "unknown manager",
        HEADER + "1,,a,no\n2,1,a,yes\n3,1,a,yes\n4,1,a,yes\n5,1,a,yes\n6,1,a,yes\n7,99,a,yes\n",
        r"^org\.csv: line 8: manager_id 99 does not exist among employee_id values",
    ),
    ("no root", HEADER + "1,2,a,no\n2,1,a,yes\n", r"^org\.csv: no root"),
    (
        "several roots",
        HEADER + "1,,a,no\n2,1,a,yes\n3,,a,yes\n",
        r"^org\.csv: 2 roots.*line 2 \(id 1\), line 4 \(id 3\)",
    ),
    (
        "cycle",
        HEADER + "1,,a,no\n2,1,a,yes\n3,4,a,yes\n4,5,a,yes\n5,3,a,yes\n",
        r"^org\.csv: line \d: reporting lines form a cycle: 3 -> 4 -> 5 -> 3",
    ),
    (
        "self manager",
        HEADER + "1,,a,no\n2,2,a,yes\n",
        r"^org\.csv: line 3: employee 2 is listed as their own manager",
    ),
    (
        "bad flag",
        HEADER + "1,,a,no\n2,1,a,maybe\n",
        r"^org\.csv: line 3: customer_facing 'maybe' is not a flag; allowed: true/false",
    ),
    (
        "empty flag",
        HEADER + "1,,a,no\n2,1,a,\n",
        r"^org\.csv: line 3: customer_facing '' is not a flag",
    ),
    ("no one facing", HEADER + "1,,a,no\n2,1,a,no\n", r"^org\.csv: no employee is customer-facing"),
    (
        "empty department",
        HEADER + "1,,a,no\n2,1, ,yes\n",
        r"^org\.csv: line 3: department is empty",
    ),
    ("empty id", HEADER + "1,,a,no\n,1,a,yes\n", r"^org\.csv: line 3: employee_id is empty"),
    (
        "field count",
        HEADER + "1,,a,no\n2,1,a\n",
        r"^org\.csv: line 3: has 3 fields, the header has 4",
    ),
    (
        "complaints off the front line",
        "employee_id,manager_id,department,customer_facing,handles_complaints\n"
        "1,,a,no,no\n2,1,a,no,yes\n3,1,a,yes,yes\n",
        r"^org\.csv: line 3: handles_complaints is true but customer_facing is false",
    ),
    (
        "xml in a csv",
        '<?xml version="1.0"?><graphml/>\n',
        r"^org\.csv: line 1: missing required column 'employee_id'",
    ),
]


@pytest.mark.parametrize(
    ("text", "match"), [(t, m) for _, t, m in CSV_ERRORS], ids=[i for i, _, _ in CSV_ERRORS]
)
def test_csv_errors(tmp_path: Path, text: str, match: str) -> None:
    with pytest.raises(OrgChartError, match=match):
        load_org_chart(write(tmp_path, "org.csv", text))


def test_org_chart_error_is_an_organization_error() -> None:
    assert issubclass(OrgChartError, OrganizationError)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(OrgChartError, match=r"^nothere\.csv: file not found"):
        load_org_chart(tmp_path / "nothere.csv")


def test_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(
        OrgChartError,
        match=r"^org\.txt: unknown file type '\.txt'; allowed: "
        r"\.csv, \.graphml, \.xml",
    ):
        load_org_chart(write(tmp_path, "org.txt", SMALL_CSV))


def test_binary_file_as_csv(tmp_path: Path) -> None:
    path = tmp_path / "org.csv"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(
        OrgChartError,
        match=r"^org\.csv: (not UTF-8 text|line \d+: contains "
        r"a NUL byte)",
    ):
        load_org_chart(path)


def test_nul_bytes_in_csv(tmp_path: Path) -> None:
    path = tmp_path / "org.csv"
    path.write_bytes(HEADER.encode() + b"1,,a,\x00yes\n")
    with pytest.raises(OrgChartError, match=r"^org\.csv: line 2: contains a NUL byte"):
        load_org_chart(path)


def test_row_limit(tmp_path: Path) -> None:
    path = write(tmp_path, "org.csv", SMALL_CSV)
    with pytest.raises(
        OrgChartError,
        match=r"^org\.csv: more than 5 rows; the limit is "
        r"max_rows=5",
    ):
        load_org_chart(path, max_rows=5)
    assert load_org_chart(path, max_rows=7).size == 7
    with pytest.raises(OrgChartError, match=r"^org\.graphml: more than 5 nodes.*max_rows=5"):
        load_org_chart(write(tmp_path, "org.graphml", SMALL_GRAPHML), max_rows=5)


def test_flags_column_required_without_table(tmp_path: Path) -> None:
    path = write(tmp_path, "org.csv", "employee_id,manager_id,department\n1,,a\n")
    with pytest.raises(
        OrgChartError,
        match=r"^org\.csv: line 1: missing required column "
        r"'customer_facing'.*departments table",
    ):
        load_org_chart(path)


def test_department_missing_from_table(tmp_path: Path) -> None:
    chart = write(
        tmp_path,
        "org.csv",
        "employee_id,manager_id,department\n1,,hq\n2,1,shop\n3,2,shop\n4,1,depot\n",
    )
    table = write(tmp_path, "depts.csv", "department,customer_facing\nshop,yes\nhq,no\n")
    with pytest.raises(
        OrgChartError,
        match=r"^org\.csv: line 5: department 'depot' is not in "
        r"the departments table depts\.csv",
    ):
        load_org_chart(chart, departments=table)


@pytest.mark.parametrize(
    ("table", "match"),
    [
        (
            "department,customer_weight\nshop,0.5\n",
            r"^depts\.csv: line 1: missing required column 'customer_facing'",
        ),
        (
            "department,customer_facing,customer_weight\nshop,yes,1.5\n",
            r"^depts\.csv: line 2: customer_weight '1\.5' is not a number from 0 to 1",
        ),
        (
            "department,customer_facing,customer_weight\nshop,yes,nan\n",
            r"^depts\.csv: line 2: customer_weight 'nan'",
        ),
        (
            "department,customer_facing\nshop,yes\nShop,no\n",
            r"^depts\.csv: line 3: department 'Shop' is already listed on line 2",
        ),
        (
            "department,customer_facing\nshop,sometimes\n",
            r"^depts\.csv: line 2: customer_facing 'sometimes' is not a flag",
        ),
        (
            "department,customer_facing\nhq,no\nshop,no\n",
            r"^org\.csv: no employee is customer-facing",
        ),
    ],
)
def test_departments_table_errors(tmp_path: Path, table: str, match: str) -> None:
    chart = write(tmp_path, "org.csv", "employee_id,manager_id,department\n1,,hq\n2,1,shop\n")
    with pytest.raises(OrgChartError, match=match):
        load_org_chart(chart, departments=write(tmp_path, "depts.csv", table))


def test_staff_id_clash(tmp_path: Path) -> None:
    chart = write(tmp_path, "org.csv", HEADER + "1,,a,no\n2,1,a,yes\n2.s1,1,a,yes\n")
    with pytest.raises(OrgChartError, match=r"^org\.csv: line 4: employee_id 2\.s1 clashes"):
        load_org_chart(chart, staff_per_manager=2)


GRAPHML_ERRORS = [
    (
        "not graphml",
        '<?xml version="1.0"?><html><body/></html>',
        r"^org\.graphml: the root element is <html>, not <graphml>",
    ),
    ("malformed", "<graphml><graph>", r"^org\.graphml: not well-formed XML"),
    (
        "two bosses",
        SMALL_GRAPHML.replace("</graph>", edge("b", "s") + "</graph>"),
        r"^org\.graphml: node 'b': reports to both 'ceo' and 's'",
    ),
    (
        "unknown node",
        SMALL_GRAPHML.replace("</graph>", edge("b", "zz", "peer") + "</graph>"),
        r"^org\.graphml: edge 'b->zz': 'zz' is not a node id",
    ),
    (
        "unknown relation",
        SMALL_GRAPHML.replace("</graph>", edge("b", "s", "friend") + "</graph>"),
        r"^org\.graphml: edge 'b->s': relation 'friend' is unknown; allowed: peer",
    ),
    (
        "duplicate node",
        SMALL_GRAPHML.replace("</graph>", node("b", "ops", "no") + "</graph>"),
        r"^org\.graphml: node 'b': appears twice",
    ),
    (
        "missing department",
        SMALL_GRAPHML.replace('<data key="d0">ops</data>', ""),
        r"^org\.graphml: node 'b': has no 'department'",
    ),
    (
        "bad flag",
        SMALL_GRAPHML.replace('<data key="d1">0</data>', '<data key="d1">x</data>'),
        r"^org\.graphml: node 'c': customer_facing 'x' is not a flag",
    ),
    (
        "cycle",
        SMALL_GRAPHML.replace(edge("s", "ceo"), edge("s", "s1")),
        r"^org\.graphml: node '(s|s1)': reporting lines form a cycle",
    ),
    ("no nodes", GRAPHML_HEAD + "</graph></graphml>", r"^org\.graphml: has no <node>"),
    (
        "no graph",
        GRAPHML_HEAD.replace('<graph edgedefault="directed">', "") + "</graphml>",
        r"^org\.graphml: has 0 <graph> elements",
    ),
]


@pytest.mark.parametrize(
    ("text", "match"), [(t, m) for _, t, m in GRAPHML_ERRORS], ids=[i for i, _, _ in GRAPHML_ERRORS]
)
def test_graphml_errors(tmp_path: Path, text: str, match: str) -> None:
    with pytest.raises(OrgChartError, match=match):
        load_org_chart(write(tmp_path, "org.graphml", text))


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE graphml [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
  <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
  <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
]>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="d0" for="node" attr.name="department"/>
  <key id="d1" for="node" attr.name="customer_facing"/>
  <graph><node id="n0"><data key="d0">&f;</data><data key="d1">yes</data></node></graph>
</graphml>
"""


@pytest.mark.parametrize(
    "payload",
    [
        BILLION_LAUGHS,
        BILLION_LAUGHS.replace(
            '<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">',
            '<!ENTITY a SYSTEM "file:///etc/passwd">',
        ),
        SMALL_GRAPHML.replace(
            "<graphml ", '<!DOCTYPE graphml SYSTEM "http://example.invalid/x.dtd">\n<graphml '
        ),
    ],
    ids=["billion laughs", "external entity", "external dtd"],
)
def test_graphml_entities_are_refused(tmp_path: Path, payload: str) -> None:
    with pytest.raises(OrgChartError, match=r"^org\.graphml: refused: the XML declares"):
        load_org_chart(write(tmp_path, "org.graphml", payload))


def test_directory_instead_of_file(tmp_path: Path) -> None:
    (tmp_path / "org.csv").mkdir()
    with pytest.raises(OrgChartError, match=r"^org\.csv: is not a file"):
        load_org_chart(tmp_path / "org.csv")


def test_repo_copy_loads_without_staff(tmp_path: Path) -> None:
    chart = shutil.copy(DATA / "krackhardt_high_tech.csv", tmp_path / "k.csv")
    org = load_org_chart(chart, departments=DATA / "krackhardt_departments.csv")
    assert org.size == 21
    # Without generated staff the front line is the 11 managers of departments 1 and 2.
    assert int(org.customer_facing.sum()) == 11


# --- every bad row at once ---------------------------------------------------------------


def problems_of(path: Path, **options: object) -> list[str]:
    """The lines of the error a chart raises."""
    with pytest.raises(OrgChartError) as raised:
        load_org_chart(path, **options)
    return str(raised.value).splitlines()


def test_every_bad_row_is_reported_at_once_in_file_order(tmp_path: Path) -> None:
    text = (
        "employee_id,manager_id,department,customer_facing,handles_complaints\n"
        "1,,hq,no,no\n"
        "2,1,sales,yes,no\n"
        "2,1,sales,yes,no\n"  # line 4: duplicate id
        "4,1,,yes,no\n"  # line 5: no department
        "5,99,sales,maybe,no\n"  # line 6: a bad flag and an unknown manager
        "6,1,ops,no,yes\n"  # line 7: complaints off the front line
        ",1,ops,no,no\n"  # line 8: no id
        "8,1,ops,no,no\n"
    )
    assert problems_of(write(tmp_path, "org.csv", text)) == [
        "org.csv: line 4: employee_id 2 duplicates line 3; ids must be unique",
        "org.csv: line 5: department is empty; every employee needs a department name",
        "org.csv: line 6: customer_facing 'maybe' is not a flag; allowed: true/false, 1/0 "
        "or yes/no (any case)",
        "org.csv: line 6: manager_id 99 does not exist among employee_id values",
        "org.csv: line 7: handles_complaints is true but customer_facing is false; only "
        "customer-facing employees take complaints",
        "org.csv: line 8: employee_id is empty; every employee needs an id",
    ]


def test_rows_that_cannot_be_read_stop_before_the_rules(tmp_path: Path) -> None:
    # Line 4 refers to nobody; but lines 3 and 5 cannot be rows, and a missing row would
    # make every reference to it look wrong: only the unreadable lines are reported.
    text = HEADER + "1,,hq,no\n2,1,sales\n3,7,sales,yes\n4,1,sales,yes,extra\n"
    assert problems_of(write(tmp_path, "org.csv", text)) == [
        "org.csv: line 3: has 3 fields, the header has 4; every row needs one value per column",
        "org.csv: line 5: has 5 fields, the header has 4; every row needs one value per column",
    ]


def test_a_long_list_of_problems_stops_at_the_cap_and_counts_the_rest(tmp_path: Path) -> None:
    rows = "".join(f"{i},{1000 + i},sales,yes\n" for i in range(1, 31))
    lines = problems_of(write(tmp_path, "org.csv", HEADER + "0,,hq,no\n" + rows))
    assert len(lines) == MAX_LISTED_PROBLEMS + 1
    assert lines[0] == "org.csv: line 3: manager_id 1001 does not exist among employee_id values"
    assert lines[MAX_LISTED_PROBLEMS - 1].startswith("org.csv: line 22: manager_id 1020 ")
    assert lines[-1] == (
        "... and 10 more problems (30 in all); fix these and load the file again to see the rest"
    )


def test_the_departments_table_and_the_chart_are_reported_together(tmp_path: Path) -> None:
    chart = write(
        tmp_path, "org.csv", "employee_id,manager_id,department\n1,,hq\n2,1,shop\n3,1,depot\n"
    )
    table = write(
        tmp_path,
        "depts.csv",
        "department,customer_facing,customer_weight\nhq,no,0\nshop,often,0.5\nHQ,no,2\n",
    )
    assert problems_of(chart, departments=table) == [
        "depts.csv: line 3: customer_facing 'often' is not a flag; allowed: true/false, 1/0 "
        "or yes/no (any case)",
        "depts.csv: line 4: department 'HQ' is already listed on line 2",
        "org.csv: line 4: department 'depot' is not in the departments table depts.csv; add "
        "a row for it",
    ]


def test_every_bad_node_and_edge_of_a_graphml_chart_at_once(tmp_path: Path) -> None:
    text = SMALL_GRAPHML.replace('<data key="d1">0</data>', '<data key="d1">x</data>').replace(
        "</graph>",
        node("b", "ops", "no") + edge("b", "zz", "peer") + edge("s1", "c", "friend") + "</graph>",
    )
    assert problems_of(write(tmp_path, "org.graphml", text)) == [
        "org.graphml: node 'c': customer_facing 'x' is not a flag; allowed: true/false, 1/0 "
        "or yes/no (any case)",
        "org.graphml: node 'b': appears twice; node ids must be unique",
        "org.graphml: edge 'b->zz': 'zz' is not a node id",
        "org.graphml: edge 's1->c': relation 'friend' is unknown; allowed: peer, reports_to "
        "(or none, meaning reports_to)",
    ]


def test_every_cycle_is_reported(tmp_path: Path) -> None:
    text = HEADER + "1,,hq,no\n2,3,a,yes\n3,2,a,yes\n4,5,b,yes\n5,4,b,yes\n"
    assert problems_of(write(tmp_path, "org.csv", text)) == [
        "org.csv: line 3: reporting lines form a cycle: 2 -> 3 -> 2; everyone must report up "
        "to the chief",
        "org.csv: line 5: reporting lines form a cycle: 4 -> 5 -> 4; everyone must report up "
        "to the chief",
    ]
