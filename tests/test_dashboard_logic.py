"""Dashboard logic without a browser: settings from the browser, exports, uploads (hostile
files too), equal budgets, the comparison verdict, lessons and sweeps."""

from __future__ import annotations

import base64
import csv
import io
import tomllib
import zipfile
from pathlib import Path

import numpy as np
import pytest
from seed_articles import needs_seed_articles, seed_articles
from typer.testing import CliRunner

from eachcustomer.dashboard.compare.comparison import (
    replication_seeds,
    resolve_plans,
    run_comparison,
)
from eachcustomer.dashboard.compare.verdict import OUTCOME_BY_COLUMN, outcome_verdict, verdict
from eachcustomer.dashboard.exports import (
    org_chart_csv,
    safe_csv_text,
    scenario_download,
    scenario_files,
    scenario_toml,
)
from eachcustomer.dashboard.learn.lessons import load_lessons
from eachcustomer.dashboard.runs import advance
from eachcustomer.dashboard.settings import (
    MAX_CHART_BYTES,
    SettingsError,
    build_setup,
    default_settings,
    normalize,
    settings_key,
)
from eachcustomer.dashboard.uploads import check_chart, decode_upload, refused_upload
from eachcustomer.experiments.loading.catalogue import builtins
from eachcustomer.experiments.loading.plans import plan_library
from eachcustomer.experiments.loading.scenario_files import load_scenario
from eachcustomer.experiments.running.runs import run_model
from eachcustomer.sim.budget import equalize_plans, plan_costs
from eachcustomer.sim.organization import generate_organization
from eachcustomer.sim.params import Params

LIBRARY = plan_library()

HEADER = "employee_id,manager_id,department,customer_facing\n"
GOOD_CHART = HEADER + "1,,executive,false\n2,1,sales,true\n3,1,sales,true\n4,1,finance,false\n"


def as_upload(data: str | bytes) -> str:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return "data:application/octet-stream;base64," + base64.b64encode(raw).decode("ascii")


# --- settings from the browser -----------------------------------------------------------------


@pytest.mark.parametrize("scenario", ["../../etc/passwd", "/etc/hosts", "scenarios/x.toml", 3])
def test_only_built_in_scenarios_come_from_the_browser(scenario):
    assert normalize({"scenario": scenario})["scenario"] == "baseline"


def test_unknown_malformed_and_boolean_parameters_are_dropped():
    settings = normalize(
        {
            "overrides": {
                "negativity_bias": 2.0,
                "no_such": 1,
                "drift_rate": "x",
                "n_employees": True,
                "departments": 3,
            },
            "seed": -4,
            "plan": 5,
        }
    )
    assert settings["overrides"] == {"negativity_bias": 2.0}
    assert settings["seed"] == 0 and settings["plan"] is None


def test_an_oversized_chart_from_the_browser_is_dropped():
    chart = {"filename": "big.csv", "text": "x" * (MAX_CHART_BYTES + 1)}
    assert normalize({"chart": chart})["chart"] is None
    assert normalize({"chart": {"filename": "evil.py", "text": GOOD_CHART}})["chart"] is None


def test_settings_keys_tell_runs_apart():
    assert settings_key(default_settings()) == settings_key(default_settings())
    assert settings_key(default_settings()) != settings_key({**default_settings(), "seed": 1})


def test_the_dashboard_refuses_organizations_too_large_to_simulate_here():
    with pytest.raises(SettingsError, match="eachcustomer run"):
        build_setup({**default_settings(), "overrides": {"n_employees": 50_000}})


# --- exports: the current settings as a scenario that `eachcustomer run` accepts --------------


def write_export(settings: dict, folder: Path) -> Path:
    name, files = scenario_files(settings)
    for member, data in files.items():
        (folder / member).write_bytes(data)
    return folder / "scenario.toml"


@pytest.mark.parametrize("scenario", sorted(builtins("scenario")))
def test_exported_scenario_reproduces_the_dashboard_run(scenario, tmp_path):
    settings = {
        **default_settings(scenario),
        "seed": 3,
        "overrides": {"horizon_weeks": 12, "negativity_bias": 2.0},
        "interventions": [
            {"kind": "training_day", "start": 4, "strength": 0.3, "coverage": {"share": 0.5}}
        ],
    }
    if scenario == "large_deep":
        settings["overrides"]["n_employees"] = 400
    path = write_export(settings, tmp_path)
    setup = load_scenario(path, seed=3)
    result = run_model(
        setup.params,
        3,
        org=setup.org,
        interventions=setup.interventions,
        individuals=setup.individuals,
    )
    shown = advance(settings, None, "run")["table"]
    np.testing.assert_allclose(
        result.series.to_numpy(dtype=float),
        np.array([shown[c] for c in result.series.columns], dtype=float).T,
        equal_nan=True,
        atol=1e-8,
    )


def test_a_chosen_plan_is_exported_as_the_interventions(tmp_path):
    settings = {**default_settings("equal_budget"), "plan": "culture_change"}
    setup = load_scenario(write_export(settings, tmp_path))
    assert [i.kind for i in setup.interventions] == [
        "language",
        "incentive_alignment",
        "customer_exposure",
        "frontline_support",
    ]
    assert setup.plans == {}


def test_an_uploaded_chart_travels_in_a_zip_that_runs(tmp_path):
    chart = {"filename": "my org.csv", "text": GOOD_CHART}
    settings = {**default_settings(), "chart": chart, "overrides": {"horizon_weeks": 5}}
    download = scenario_download(settings)
    assert download["filename"].endswith(".zip") and download["base64"]
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(download["content"]))) as archive:
        archive.extractall(tmp_path)
    [toml] = tmp_path.glob("*/scenario.toml")
    from eachcustomer.cli import app

    result = CliRunner().invoke(app, ["run", str(toml)])
    assert result.exit_code == 0, result.output
    assert load_scenario(toml).org.size == 4


FORMULA_CHART = (
    HEADER + "\"=cmd|' /C calc'!A0\",,@exec,false\n-3,\"=cmd|' /C calc'!A0\",sales,true\n"
    "+4,-3,=1+1,true\n5,-3,sales,true\n"
)
"""A chart whose ids and department names a spreadsheet would run as formulas (issue 12)."""


def test_the_org_chart_download_neutralizes_formulas_and_keeps_numbers():
    check = check_chart(as_upload(FORMULA_CHART), "f.csv", settings=default_settings())
    org = build_setup({**default_settings(), "chart": check.chart}).org
    download = org_chart_csv(org)
    rows = list(csv.reader(io.StringIO(download["content"])))
    assert rows[0] == [
        "employee_id",
        "manager_id",
        "department",
        "customer_facing",
        "handles_complaints",
    ]
    assert {tuple(row[:4]) for row in rows[1:]} == {
        ("'=cmd|' /C calc'!A0", "", "'@exec", "false"),
        ("-3", "'=cmd|' /C calc'!A0", "sales", "true"),
        ("+4", "-3", "'=1+1", "true"),  # -3 and +4 are numbers: written as they are
        ("5", "-3", "sales", "true"),
    }
    assert download["filename"] == "org_chart.csv"


def test_an_uploaded_chart_in_the_scenario_zip_is_neutralized_and_runs_the_same(tmp_path):
    check = check_chart(as_upload(FORMULA_CHART), "f.csv", settings=default_settings())
    settings = {**default_settings(), "chart": check.chart, "seed": 3}
    settings["overrides"] = {"horizon_weeks": 6}
    download = scenario_download(settings)
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(download["content"]))) as archive:
        archive.extractall(tmp_path)
    [chart] = tmp_path.glob("*/f.csv")
    assert "'=cmd|' /C calc'!A0" in chart.read_text() and "'=1+1" in chart.read_text()
    [toml] = tmp_path.glob("*/scenario.toml")
    exported = load_scenario(toml, seed=3)  # the seed the page ran with, as its header says
    run = run_model(exported.params, 3, org=exported.org, interventions=exported.interventions)
    shown = advance(settings, None, "run")["table"]
    np.testing.assert_allclose(
        run.series[list(shown)].to_numpy(float), np.array(list(shown.values()), float).T, atol=1e-8
    )


def test_safe_csv_text_neutralizes_text_cells_only():
    text = 'name,value,note\n=SUM(A1),-2.5,@x\n\tcell,+3,"a,b"\n'
    assert safe_csv_text(text) == "name,value,note\n'=SUM(A1),-2.5,'@x\n'\tcell,+3,\"a,b\"\n"


def test_an_exported_scenario_reads_back_with_its_values_and_interventions():
    settings = {
        **default_settings("wrong_customer"),
        "overrides": {"drift_rate": 1e-7, "negativity_bias": 2.5},
        "plan": "aligned",
    }
    data = tomllib.loads(scenario_toml(settings))
    assert data["parameters"]["drift_rate"] == 1e-7
    assert data["parameters"]["negativity_bias"] == 2.5
    assert [i["kind"] for i in data["interventions"]] == ["incentive_alignment"]
    assert list(data["plans"]) == ["aligned"]
    assert "plan 'aligned'" in data["description"]


# --- uploads: parsed, limited, never executed ------------------------------------------------

HOSTILE = {
    "billion laughs": (
        "laughs.graphml",
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
        '"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><graphml><graph>'
        '<node id="&lol2;"/></graph></graphml>',
        "refused",
    ),
    "external entity": (
        "xxe.graphml",
        '<?xml version="1.0"?><!DOCTYPE g [<!ENTITY x SYSTEM '
        '"file:///etc/passwd">]><graphml><graph><node id="&x;"/></graph>'
        "</graphml>",
        "refused",
    ),
    "malformed xml": ("broken.graphml", "<graphml><graph><node id='a'></graph>", "not well-formed"),
    "binary": ("x.csv", b"PK\x03\x04\x00\x00binary", "NUL bytes"),
    "pickle": ("p.csv", b"\x80\x04\x95\x10\x01\x02\x03.", "not UTF-8"),
    "code": ("run.py", "import os; os.system('rm -rf /')", "unknown file type"),
    "empty": ("e.csv", "", "empty"),
    "header only": ("h.csv", HEADER, "no rows"),
    "cycle": ("c.csv", HEADER + "1,,e,false\n2,3,s,true\n3,2,s,true\n", "cycle"),
    "formula": ("f.csv", HEADER + "1,,\"=cmd|' /C calc'!A0\",true\n", None),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_or_broken_uploads_give_a_message_not_a_crash(case):
    name, content, expected = HOSTILE[case]
    check = check_chart(as_upload(content), name, settings=default_settings())
    if expected is None:  # a formula is just a department name: text, never evaluated
        assert check.chart is not None and check.chart["text"].count("cmd") == 1
        return
    assert check.chart is None
    assert expected in " ".join(e.problem for e in check.errors)


def test_an_oversized_upload_is_refused_before_it_is_decoded():
    contents = "data:text/csv;base64," + "A" * (4 * MAX_CHART_BYTES // 3 + 400)
    text, problem = decode_upload(contents, "big.csv")
    assert text is None and "the limit is 2 MB" in problem


def test_a_file_the_browser_did_not_send_gets_the_servers_message():
    contents = "data:text/csv;base64," + "A" * (4 * 9_000_000 // 3)
    _, from_server = decode_upload(contents, "big.csv")
    from_browser = refused_upload({"filename": "big.csv", "size": 9_000_000, "at": 1})
    assert (
        from_browser
        == from_server
        == ("big.csv: the file is 9.0 MB; the limit is 2 MB (20,000 employees)")
    )
    assert "../" not in refused_upload({"filename": "../../etc/x.csv", "size": 3e6})
    reports = (None, "big.csv", {"filename": "a.csv"}, {"size": True}, {"size": 1e6})
    for report in (*reports, {"size": float("nan")}, {"size": float("inf")}):
        assert refused_upload(report) is None


def test_too_many_rows_are_refused_with_the_limit():
    rows = "".join(f"{i},1,sales,true\n" for i in range(2, 20_003))
    check = check_chart(as_upload(HEADER + "1,,exec,false\n" + rows), "many.csv")
    assert check.chart is None and "more than 20000 rows" in check.errors[0].problem


def test_a_row_error_names_the_line_and_shows_it():
    check = check_chart(as_upload(HEADER + "1,,executive,false\n2,7,sales,true\n"), "mine.csv")
    [error] = check.errors
    assert error.where == "line 3" and "manager_id 7 does not exist" in error.problem
    assert error.line_text == "2,7,sales,true"


def test_every_bad_row_of_an_upload_is_listed_with_its_line():
    chart = HEADER + "1,,executive,false\n2,7,sales,true\n3,1,sales,perhaps\n3,1,shop,true\n"
    check = check_chart(as_upload(chart), "mine.csv")
    assert [(e.where, e.line_text) for e in check.errors] == [
        ("line 3", "2,7,sales,true"),
        ("line 4", "3,1,sales,perhaps"),
        ("line 5", "3,1,shop,true"),
    ]
    for error, problem in zip(
        check.errors, ("does not exist", "is not a flag", "duplicates line 4"), strict=True
    ):
        assert problem in error.problem


def test_a_departments_table_problem_names_the_table_and_shows_its_line():
    chart = "employee_id,manager_id,department\n1,,office\n2,1,shop\n3,1,depot\n"
    table = "department,customer_facing\noffice,false\nshop,maybe\n"
    check = check_chart(as_upload(chart), "c.csv", as_upload(table), "d.csv", default_settings())
    assert [(e.where, e.line_text) for e in check.errors] == [
        ("d.csv, line 3", "shop,maybe"),
        ("line 4", "3,1,depot"),
    ]


def test_a_long_list_of_upload_problems_ends_with_the_count_of_the_rest():
    rows = "".join(f"{i},{1000 + i},sales,true\n" for i in range(2, 32))
    check = check_chart(as_upload(HEADER + "1,,executive,false\n" + rows), "many.csv")
    assert len(check.errors) == 21 and check.errors[0].line_text == "2,1002,sales,true"
    assert check.errors[-1].where == "" and check.errors[-1].problem.startswith("and 10 more")


def test_a_chart_that_the_scenario_cannot_use_is_refused_with_the_reason():
    # hey_buddy places its three individuals in "sales", which this chart lacks
    chart = HEADER + "1,,executive,false\n2,1,shop,true\n"
    check = check_chart(as_upload(chart), "shop.csv", settings=default_settings("hey_buddy"))
    assert check.chart is None and check.errors[0].where == "scenario"
    assert "sales" in check.errors[0].problem


def test_a_good_chart_with_a_departments_table_is_accepted():
    chart = "employee_id,manager_id,department\n1,,office\n2,1,shop\n3,2,shop\n"
    table = "department,customer_facing\noffice,false\nshop,true\n"
    check = check_chart(as_upload(chart), "c.csv", as_upload(table), "d.csv", default_settings())
    assert check.chart is not None and check.chart["departments_text"] == table
    assert "3 employees" in check.summary


# --- equal budgets -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def org_and_params():
    params = Params(n_employees=300)
    return generate_organization(params, np.random.default_rng(0)), params


@pytest.mark.parametrize("by", ["coverage", "duration"])
def test_equalized_plans_cost_the_cheapest_paying_plan(org_and_params, by):
    org, params = org_and_params
    plans = {
        name: LIBRARY[name].interventions for name in ("none", "training_day", "culture_change")
    }
    before = plan_costs(plans, org, params)
    scaled, budget, notes = equalize_plans(plans, org, params, by=by)
    after = plan_costs(scaled, org, params)
    assert budget == min(c for c in before.values() if c > 0)
    assert after["none"] == 0 and scaled["none"] == ()
    tolerance = 0.01 if by == "coverage" else 0.05  # duration moves in whole weeks
    for name in ("training_day", "culture_change"):
        assert after[name] == pytest.approx(budget, rel=tolerance), notes


def test_a_budget_beyond_full_coverage_is_noted_not_raised(org_and_params):
    org, params = org_and_params
    plans = {"training day": LIBRARY["training_day"].interventions}
    scaled, budget, notes = equalize_plans(plans, org, params, budget=1e9)
    assert scaled["training day"] == LIBRARY["training_day"].interventions
    assert "kept its own cost" in notes[0]


# --- the verdict ---------------------------------------------------------------------------------


def test_a_clear_winner_is_named_with_the_size_of_the_win():
    outcome = OUTCOME_BY_COLUMN["mean_satisfaction"]
    line = outcome_verdict(
        outcome, {"plan a": [0.40, 0.42, 0.41, 0.43], "plan b": [0.30, 0.31, 0.29, 0.30]}, 104
    )
    assert line["clear"] and line["winner"] == "plan a" and line["runner_up"] == "plan b"
    assert "plan a wins" in line["text"] and "higher by 0.115" in line["text"]
    assert line["low"] > 0


def test_a_difference_within_noise_is_too_close_to_call():
    outcome = OUTCOME_BY_COLUMN["active_customers"]
    line = outcome_verdict(outcome, {"a": [100, 120, 90, 110], "b": [105, 100, 115, 98]}, 52)
    assert not line["clear"] and "too close to call" in line["text"]


def test_fewer_lost_customers_win():
    outcome = OUTCOME_BY_COLUMN["customers_lost_total"]
    line = outcome_verdict(outcome, {"keeps": [10, 11, 12], "loses": [30, 31, 29]}, 104)
    assert line["winner"] == "keeps" and line["clear"] and "lower by 19" in line["text"]


def test_one_replication_cannot_tell_luck_from_effect():
    line = outcome_verdict(OUTCOME_BY_COLUMN["mean_attitude"], {"a": [0.3], "b": [0.1]}, 10)
    assert not line["clear"] and "run more" in line["text"]


def test_the_headline_counts_clear_wins():
    finals = {
        "mean_attitude": {"x": [0.5, 0.51, 0.52], "y": [0.1, 0.11, 0.12]},
        "mean_satisfaction": {"x": [0.1, 0.3, 0.2], "y": [0.2, 0.1, 0.25]},
    }
    result = verdict(finals, 104)
    assert result["headline"] == "X wins clearly on 1 of 2 outcomes at week 104."


def test_every_plan_meets_the_same_replication_seeds():
    seeds = replication_seeds(11, 5)
    assert seeds == replication_seeds(11, 5) and len(set(seeds)) == 5
    assert seeds != replication_seeds(12, 5)


def test_a_comparison_runs_plans_at_equal_budget():
    settings = {**default_settings(), "overrides": {"n_employees": 100, "horizon_weeks": 30}}
    result = run_comparison(
        settings,
        ["plan:none", "plan:training_day", "plan:culture_change"],
        2,
        "coverage",
    )
    assert result["error"] is None
    costs = {p["name"]: p["cost"] for p in result["plans"]}
    assert costs["One-off training day"] == pytest.approx(costs["Culture-wide change"])
    assert len(result["verdict"]["lines"]) == len(OUTCOME_BY_COLUMN)
    band = result["bands"]["mean_attitude"]["Do nothing"]
    assert len(band["week"]) == 31 and all(
        lo <= m <= hi for lo, m, hi in zip(band["low"], band["mean"], band["high"], strict=True)
    )
    assert run_comparison(settings, ["plan:none"], 2)["error"].startswith("Choose two")


def test_a_scenarios_own_plans_can_be_compared():
    plans = resolve_plans(
        ["plan:aligned", "plan:culture_change", "scenario"], default_settings("wrong_customer")
    )
    assert [len(p) for p in plans.values()] == [1, 4, 0]
    assert list(plans)[:2] == ["aligned", "Culture-wide change"]


# --- lessons -------------------------------------------------------------------------------------


def test_every_lesson_names_a_scenario_charts_and_a_question():
    lessons = load_lessons()
    assert len(lessons) >= 6 and len({lesson.id for lesson in lessons}) == len(lessons)
    for lesson in lessons:
        assert lesson.scenario in builtins("scenario"), lesson.id
        assert lesson.question.endswith("?")


@needs_seed_articles
def test_every_lesson_quotes_its_seed_article_word_for_word():
    articles = seed_articles()
    for lesson in load_lessons():
        assert " ".join(lesson.quote.split()) in articles[lesson.seed], lesson.id


# --- sweeps from the dashboard ------------------------------------------------------------------

TINY_SWEEP = """
title = "Tiny"
scenario = "baseline"
replications = 2
seed = 5
weeks = 4
[parameters]
n_employees = 40
negativity_bias = [1.0, 3.0]
[outcomes]
series = ["mean_attitude"]
"""


def test_a_sweep_must_be_small_and_name_a_built_in_scenario():
    from eachcustomer.dashboard.sweeps.runner import check_spec

    sweep, message = check_spec(TINY_SWEEP)
    assert sweep is not None and "4 runs of 4 weeks" in message
    for bad, expected in (
        ('title = "x"\nseed = 1\nscenario = "/etc/passwd"', "built-in"),
        ("not toml [", "not valid TOML"),
        (TINY_SWEEP.replace("replications = 2", "replications = 300"), "limit of 400"),
    ):
        assert check_spec(bad)[0] is None and expected in check_spec(bad)[1]


def test_a_launched_sweep_lands_in_the_results_folder_with_figures(tmp_path, monkeypatch):
    from eachcustomer.dashboard.sweeps.runner import launch, result_figures, result_folders

    monkeypatch.setenv("EACHCUSTOMER_RESULTS", str(tmp_path))
    done = []
    result = launch(TINY_SWEEP, on_progress=lambda finished, total: done.append(finished))
    assert result["error"] is None and done[-1] == 4
    assert [o["value"] for o in result_folders()] == [result["folder"]]
    summary, charts, error = result_figures(result["folder"])
    assert error == "" and "4 runs ok" in summary and charts
    assert (tmp_path / result["folder"] / "report" / "index.html").is_file()
    assert result_figures("../../etc")[2] == "No such results folder."


def test_a_results_folder_is_named_by_the_sweep_and_the_minute_and_never_reused(
    tmp_path, monkeypatch
):
    from datetime import datetime

    from eachcustomer.dashboard.sweeps.runner import folder_slug, new_folder

    monkeypatch.setenv("EACHCUSTOMER_RESULTS", str(tmp_path))
    title = "Negativity bias against two plans at equal budget"
    when = datetime(2026, 11, 26, 14, 32, 5)
    assert new_folder(title, when).name == "negativity-bias-2026-11-26-1432"
    assert new_folder(title, when).name == "negativity-bias-2026-11-26-1432-2"
    assert folder_slug("What drives attitude at two years: Sobol indices") == "what-drives-attitude"
    assert folder_slug("Culture-wide change against a one-off program") == "culture-wide-change"
    assert folder_slug("!!!") == "sweep"


def test_the_pace_says_runs_done_and_time_left_from_this_launch():
    from eachcustomer.dashboard.sweeps.runner import Pace

    now = [100.0]
    pace = Pace(clock=lambda: now[0])
    assert pace.note(10, 40) == "10 / 40 runs done; time left: estimating after the first run"
    now[0] = 130.0  # 30 s for 10 runs: 20 runs left take 60 s
    assert pace.note(20, 40) == "20 / 40 runs done, about 1 min left"
    now[0] = 132.0
    assert pace.note(21, 40) == "21 / 40 runs done, about 55 s left"  # 32 s / 11 runs x 19
    now[0] = 190.0
    assert pace.note(40, 40) == "40 / 40 runs done in 2 min"


def test_the_app_serves_a_sweeps_report_and_nothing_else(tmp_path, monkeypatch):
    from flask import Flask

    from eachcustomer.dashboard.sweeps.runner import launch, report_path, serve_reports

    monkeypatch.setenv("EACHCUSTOMER_RESULTS", str(tmp_path))
    result = launch(TINY_SWEEP)
    folder = result["folder"]
    assert folder.startswith("tiny-") and report_path(folder) == f"/reports/{folder}/index.html"
    server = Flask("test")
    serve_reports(server)
    client = server.test_client()
    page = client.get(report_path(folder))
    assert page.status_code == 200 and "<h1>Tiny</h1>" in page.get_data(as_text=True)
    assert client.get(f"/reports/{folder}/runs.csv").status_code == 200  # the page's links
    (tmp_path / "secret.txt").write_text("no", encoding="utf-8")
    for refused in (
        f"/reports/{folder}/../manifest.json",
        f"/reports/{folder}/%2e%2e/manifest.json",
        "/reports/..%2fsecret.txt/index.html",
        "/reports/no-such-sweep/index.html",
    ):
        assert client.get(refused).status_code == 404, refused
    (tmp_path / folder / "report" / "index.html").unlink()
    assert report_path(folder) is None and report_path("../etc") is None
