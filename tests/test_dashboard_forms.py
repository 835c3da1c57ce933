"""What the pages say and propose: the description of an uploaded chart, the intervention
form's price (the plan library's), money in US dollars, the Experiments page's first example
and its paths, the plan finder's run count."""

from __future__ import annotations

from typing import Any

import pytest
from plotly.io.json import to_json_plotly

from eachcustomer.dashboard.controls import library_price
from eachcustomer.dashboard.kinds import walk
from eachcustomer.dashboard.money import money, money_unit
from eachcustomer.dashboard.settings import build_setup, default_settings
from eachcustomer.experiments.loading.plans import kind_template, plan_library
from eachcustomer.sim.budget import cost_basis, plan_cost
from eachcustomer.sim.interventions import KINDS, Intervention

HEADER = "employee_id,manager_id,department,customer_facing\n"
CHART = HEADER + "1,,executive,false\n2,1,sales,true\n3,1,sales,true\n4,1,finance,false\n"


@pytest.fixture(scope="module")
def app():
    """The dashboard app (its pages register their callbacks on import)."""
    from eachcustomer.dashboard.app import create_app

    return create_app()


def words(component: Any) -> str:
    """A layout as the browser gets it (JSON): every text it shows or labels with."""
    return to_json_plotly(component)


# --- an uploaded chart is described at once -----------------------------------------------------


def test_with_an_uploaded_chart_explore_describes_the_chart_not_the_scenarios_organization(app):
    from dash._callback_context import context_value
    from dash._utils import AttributeDict

    from eachcustomer.dashboard.controls import slider_order
    from eachcustomer.dashboard.explore import callbacks as explore

    chart = {"filename": "our-org.csv", "text": CHART, "employees": 4}
    stored = {**default_settings(), "chart": chart}
    token = context_value.set(AttributeDict(triggered_inputs=[]))
    try:
        names = slider_order()
        result = explore.sync_settings("baseline", [None] * len(names), None, 0, None, None, stored)
    finally:
        context_value.reset(token)
    description = result[-1]
    assert description.startswith("Your org chart our-org.csv of 4 employees, in place of")
    assert "500 people" not in description
    assert "Baseline: an ordinary organization" in description  # the rest of the scenario
    plain = explore.scenario_text("baseline")
    assert plain.startswith("An ordinary organization of 500 people")


# --- the intervention form proposes the plan library's price ------------------------------------


def test_the_form_proposes_the_plan_librarys_price_for_the_kind_chosen(app):
    from eachcustomer.dashboard.explore import changes

    hours, direct, note = changes.propose_price("training_day", default_settings())
    assert (hours, direct) == (8.0, 304.0)
    assert note == (
        "The plan library's price: 8 staff hours and $304 per participant-week "
        "($669.20 at $45.65 an hour)."
    )
    hours, direct, note = changes.propose_price("slogan_campaign", default_settings())
    assert (hours, direct) == (0.0, 53.5)
    assert "$53.50 per participant-week" in note
    cheaper = {**default_settings(), "overrides": {"wage_cost_per_hour": 20.0}}
    assert "($464 at $20 an hour)" in changes.propose_price("training_day", cheaper)[2]
    hours, direct, note = changes.propose_price("delight_week", default_settings())
    assert (hours, direct) == (0, 0) and "No plan of the library has a delight week" in note


def test_one_source_of_prices_the_form_and_the_plan_finder(app):
    from eachcustomer.experiments.planfinder.levers import lever_template
    from eachcustomer.experiments.planfinder.spec import LeverSpec
    from eachcustomer.sim.params import Params

    for kind in KINDS:
        template = kind_template(kind)
        price = library_price(kind)
        if template is None:
            assert price is None
            continue
        first = next(i for p in plan_library().values() for i in p.interventions if i.kind == kind)
        assert template == first
        lever = lever_template(kind, LeverSpec(), {}, Params(), "levers")
        assert (price.hours, price.direct) == (
            lever.hours_per_participant_week,
            lever.direct_cost_per_participant_week,
        )


def test_an_intervention_added_with_the_proposed_price_costs_what_the_librarys_does(app):
    from eachcustomer.dashboard.explore import changes

    hours, direct, _ = changes.propose_price("training_day", default_settings())
    item = changes.intervention_item(
        "training_day", 26, None, 0.5, changes.form_coverage(1, [], []), hours, direct
    )
    settings = {**default_settings(), "interventions": [item]}
    setup = build_setup(settings)
    org = cost_basis(setup.params, setup.org)
    added = plan_cost(setup.interventions, org, setup.params)
    library = plan_cost(plan_library()["training_day"].interventions, org, setup.params)
    assert added == pytest.approx(library) and added > 0
    assert Intervention(**item).hours_per_participant_week == 8.0


# --- money in US dollars -----------------------------------------------------------------------


def test_money_is_shown_in_us_dollars():
    assert money_unit("currency per week") == "$ per week"
    assert money_unit("currency", words=True) == "US dollars"
    assert money_unit("customers") == "customers"
    assert money(1234.4) == "$1,234" and money(-56) == "-$56" and money(-0.2) == "$0"


@pytest.mark.parametrize(
    "page", ["explore", "organization", "compare", "plan_finder", "sweeps", "learn"]
)
def test_no_page_says_currency(app, page):
    import importlib

    module = importlib.import_module(f"eachcustomer.dashboard.{page}.page")
    text = words(module.layout())
    assert "currency" not in text.lower()
    if page in ("explore", "compare", "plan_finder"):
        assert "$" in text


def test_the_headline_numbers_and_the_plan_table_show_dollars(app):
    from eachcustomer.dashboard.compare.view import plan_table
    from eachcustomer.dashboard.explore.view import kpis
    from eachcustomer.dashboard.runs import advance, payload_frame

    state = advance({**default_settings(), "overrides": {"horizon_weeks": 3}}, None, "run")
    shown = words(kpis(payload_frame(state["table"])))
    assert "Revenue so far" in shown and "($)" in shown and "$0 spent on interventions" in shown
    assert "currency" not in shown
    table = words(plan_table({"plans": [{"name": "a", "description": "b", "cost": 12345.6}]}))
    assert "$12,346" in table


# --- the Experiments page ----------------------------------------------------------------------


def test_the_experiments_page_opens_on_an_example_it_can_run(app, tmp_path, monkeypatch):
    from eachcustomer.dashboard.sweeps import page, runner

    monkeypatch.setenv(runner.RESULTS_ENV, str(tmp_path / "secret-place" / "results"))
    first = runner.first_example()
    assert first == "small"  # the fewest runs of the examples within the limit
    assert runner.example_runs("decision_map") is None  # 1,800 runs: over the limit
    layout = page.layout()
    text = words(layout)
    found = {c.id: c for c in walk(layout) if isinstance(getattr(c, "id", None), str)}
    assert found["sweep-example"].value == "small"
    assert found["sweep-spec"].value == runner.spec_files()["small"].read_text(encoding="utf-8")
    assert "decision_map: " in text and "(over the page's limits: `eachcustomer sweep`)" in text
    assert "secret-place" not in text and str(tmp_path) not in text
    sweep, message = runner.check_spec(runner.spec_files()[first].read_text())
    assert sweep is not None and "runs of" in message


def test_the_experiments_page_names_results_folders_relative_to_the_results_folder(
    app, tmp_path, monkeypatch
):
    from eachcustomer.dashboard.sweeps import page, runner

    root = tmp_path / "secret-place" / "results"
    monkeypatch.setenv(runner.RESULTS_ENV, str(root))
    spec = (
        'title = "Tiny"\nscenario = "baseline"\nreplications = 1\nseed = 5\nweeks = 2\n'
        "[parameters]\nn_employees = 30\nnegativity_bias = [1.0, 3.0]\n"
    )
    result = runner.launch(spec)
    assert result["error"] is None
    assert result["message"] == (
        f"2 runs done, 0 failed; results in {result['folder']}, in the results folder."
    )
    (root / result["folder"] / "report" / "index.html").unlink()
    note = words(page.report_link(result["folder"]))
    assert f"`eachcustomer analyze {result['folder']}` in the results folder" in note
    assert "secret-place" not in note
    assert runner.without_root(f"{root}/x/y.csv: broken; {root}") == (
        "x/y.csv: broken; the results folder"
    )


# --- the plan finder's run count ---------------------------------------------------------------


def test_the_plan_finder_never_counts_negative_runs(app):
    from eachcustomer.dashboard.plan_finder import page

    assert page.size_note(3, 8, 4) == (
        "At most 96 runs of the search, then the best plans compared and the chosen one "
        "confirmed on fresh seeds."
    )
    for sizes in ((-1, 8, 4), (3, 0, 4), (3, 8, 2.5), (3, 8, None), (3, 8, 11)):
        note = page.size_note(*sizes)
        assert "At most" not in note and "must be a whole number from" in note, note
    assert page.size_note(-1, 8, 4) == (
        "Replications per plan must be a whole number from 2 to 6, not -1."
    )
    result = page.run_search(lambda _: None, 1, default_settings(), 6000, [], [], 8, 4, -1)
    assert result == {"error": "Replications per plan must be a whole number from 2 to 6, not -1."}


def test_the_forms_total_is_the_one_price_rule_leaders_at_a_leaders_wage():
    from eachcustomer.sim.params import Params

    params = Params()
    tone, day = library_price("leadership_tone"), library_price("training_day")
    assert tone is not None and day is not None
    expected = Intervention(
        kind="leadership_tone",
        hours_per_participant_week=tone.hours,
        direct_cost_per_participant_week=tone.direct,
    ).price_per_participant_week(params.wage_cost_per_hour, params.leader_wage_ratio)
    assert f"({money(expected, cents=True)} at " in tone.describe(params)
    assert "a leader's hour" in tone.describe(params)
    assert "a leader's hour" not in day.describe(params)
