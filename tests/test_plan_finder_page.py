"""The Plan finder page's words: a recommendation only when the plan beats doing nothing."""

from __future__ import annotations

import pytest

from eachcustomer.dashboard.forest import wrapped_label

FRONT_ROW = {
    "key": "k1",
    "recommended": True,
    "plan": "Of a budget of 60,000 over 104 weeks, spend 100% on a slogan campaign.",
    "mean_recent_annual_customer_loss": 0.17,
    "p10_net_revenue": 1.0e6,
}
OBJECTIVES = [
    {
        "outcome": "recent_annual_customer_loss",
        "statistic": "mean",
        "percentile": None,
        "minimize": True,
    },
    {"outcome": "net_revenue", "statistic": "percentile", "percentile": 10.0, "minimize": False},
]


@pytest.fixture(scope="module")
def page():
    from eachcustomer.dashboard.app import create_app

    create_app()
    from eachcustomer.dashboard.plan_finder import page

    return page


FOREST = [
    {
        "objective": "mean_recent_annual_customer_loss",
        "outcome": "recent_annual_customer_loss",
        "role": role,
        "key": key,
        "plan": plan,
        "mean": mean,
        "low": mean - 0.01,
        "high": mean + 0.01,
        "verdict": verdict,
        "n": 20,
    }
    for role, key, plan, mean, verdict in (
        ("chosen", "k1", "Recommended, on 20 confirming replications", -0.02, "better"),
        ("finalist", "k2", "A: a slogan campaign", 0.005, "no clear effect"),
    )
]
"""Forest rows as `findings.forest_table` writes them: one objective, two plans."""


def result(recommended: bool) -> dict:
    sentence = FRONT_ROW["plan"]
    paragraphs = (
        [sentence, "On 20 fresh replications it does better than doing nothing: ..."]
        if recommended
        else [
            "No plan the finder found reliably beats doing nothing on customers lost ...",
            f"The best candidate: {sentence}",
            "On fresh replications: ... (no clear effect).",
            "What would settle it: about 140 paired replications ...; or a bigger budget.",
        ]
    )
    return {
        "error": None,
        "recommended": recommended,
        "heading": "Recommended plan"
        if recommended
        else "No plan found reliably beats doing nothing",
        "paragraphs": paragraphs,
        "sentence": sentence,
        "effects": ["customers lost per year, last quarter: 17.0% ..."],
        "explanation": ["Chosen among 4 finalists by Kim and Nelson's ..."],
        "forest": FOREST,
        "objectives": OBJECTIVES,
        "front": [FRONT_ROW],
        "references": [
            {
                "plan": "doing nothing",
                "mean_recent_annual_customer_loss": 0.18,
                "p10_net_revenue": 0.9e6,
            }
        ],
        "evaluations": 30,
        "hypervolume": 1.2,
        "toml": "",
        "seconds": 1.0,
        "runs": 90,
        "fresh_runs": 200,
    }


def test_a_plan_that_beats_doing_nothing_is_recommended(page):
    box, figure, status, error, disabled = page.show(result(True))
    text = str(box)
    assert "Recommended plan" in text and "No plan" not in text
    assert [t.name for t in figure.data][:2] == ["recommended", "plan library, doing nothing"]
    assert "then 200 on fresh seeds" in status and error == "" and disabled is False


def test_otherwise_the_page_says_no_plan_beats_doing_nothing(page):
    box, figure, status, error, disabled = page.show(result(False))
    text = str(box)
    assert "No plan found reliably beats doing nothing" in text
    assert "planfinder-verdict" in text and "The best candidate: " in text
    assert "What would settle it" in text and "Recommended plan" not in text
    assert figure.data[0].name == "best candidate (not recommended)"


def test_the_forest_plot_stands_above_the_words_with_the_results_own_rows(page):
    box, *_ = page.show(result(True))
    text = str(box)
    assert text.index("planfinder-forest") < text.index("planfinder-sentence")
    forest = next(item for item in box if getattr(item, "id", None) == "planfinder-forest")
    (graph,) = forest.children
    assert graph.id == "planfinder-forest-mean_recent_annual_customer_loss"
    drawn = {trace.name: (trace.x[0], trace.error_x.array[0]) for trace in graph.figure.data}
    assert drawn == {
        wrapped_label(row["plan"]): (row["mean"], pytest.approx(0.01)) for row in FOREST
    }
