"""Compare's "Where the verdict holds": the shipped map drawn, or a plain sentence."""

from __future__ import annotations

import numpy as np
import pandas as pd
from dash import dcc, html

from eachcustomer.dashboard.compare.evidence import (
    EVIDENCE_FOLDER,
    _at_defaults,
    evidence_section,
)
from eachcustomer.experiments.analysis import decisions
from eachcustomer.experiments.analysis.verdicts import TOO_CLOSE
from eachcustomer.experiments.loading.plans import plan_library
from eachcustomer.experiments.reports import evidence as shipped
from eachcustomer.experiments.reports.decision_report import decision_map_figure


def flatten(children) -> list:
    found = []
    for child in children if isinstance(children, list) else [children]:
        found.append(child)
        inner = getattr(child, "children", None)
        if inner is not None and not isinstance(inner, str):
            found += flatten(inner)
    return found


def texts(children) -> list[str]:
    return [c.children for c in flatten(children) if isinstance(getattr(c, "children", 0), str)]


def said_in(children, identifier: str) -> str:
    found = next(c for c in flatten(children) if getattr(c, "id", None) == identifier)
    return " ".join(texts(found))


def test_the_same_interval_gets_the_same_word_in_the_csv_the_report_and_compare():
    found = shipped.read_evidence()
    table, manifest = found.table, found.manifest
    x, y = found.axes
    titles = {name: plan.title for name, plan in plan_library().items()}
    for row in table.itertuples(index=False):  # the CSV's words are judge's on its interval
        verdict = decisions.cell_verdict(row)
        named = {"better": row.challenger, "worse": row.reference}.get(verdict.word)
        assert row.verdict == (named or verdict.word)
    words = set(table["verdict"])
    assert TOO_CLOSE in words and {"culture_change", "training_day"} <= words
    for outcome in dict.fromkeys(table["outcome"]):
        cells = table[table["outcome"] == outcome]
        # The report's map (hover text) and Compare's sentence at the defaults.
        hover = decision_map_figure(cells, outcome, x, y).data[0].customdata
        shown = [text.rsplit(": ", 1)[1] for line in hover for text in line]
        assert sorted(shown) == sorted(cells["verdict"])
        at = cells[(cells[x] == 1.0) & (cells[y] == manifest["defaults"][y])].iloc[0]
        sentence = _at_defaults(table, manifest, outcome, x, y, titles)
        word = at["verdict"]
        assert (titles.get(word, word)) in sentence
    # A cell too close to call is said so by Compare, not as a win.
    close = table.copy()
    close["ci_low"], close["ci_high"] = -1e9, 1e9
    close["verdict"] = TOO_CLOSE
    sentence = _at_defaults(close, manifest, "net_revenue", x, y, titles)
    assert "too close to call on" in sentence and "does better" not in sentence


def test_the_section_draws_each_shipped_map_with_its_cells_means():
    table = pd.read_csv(EVIDENCE_FOLDER / "decision_map.csv")
    section = evidence_section()
    graphs = [c for c in flatten(section) if isinstance(c, dcc.Graph)]
    assert [g.id for g in graphs] == [
        f"compare-evidence-map-{o}" for o in dict.fromkeys(table["outcome"])
    ]
    for graph in graphs:
        outcome = graph.id.removeprefix("compare-evidence-map-")
        grid = table[table["outcome"] == outcome].pivot(
            index="strength_multiplier", columns="price_multiplier", values="mean"
        )
        heatmap = graph.figure.data[0]
        assert heatmap.type == "heatmap"
        np.testing.assert_allclose(np.array(heatmap.z, dtype=float), grid.to_numpy())
        assert "the model's defaults" in [trace.name for trace in graph.figure.data]
    regions = next(
        c for c in flatten(section) if getattr(c, "id", None) == "compare-evidence-regions"
    )
    assert len(regions.children) == 2 * table["outcome"].nunique()
    assert all("came out ahead of" in item.children for item in regions.children)
    assert "Bonferroni" in said_in(section, "compare-evidence-family")
    said = " ".join(texts(section))
    assert "the built-in sweep spec decision_map" in said
    assert "eachcustomer sweep decision_map --out results/decision_map" in said
    assert "At the model's defaults (price_multiplier = 1 and strength_multiplier = 1" in said


def test_a_missing_or_damaged_folder_is_said_plainly(tmp_path):
    section = evidence_section(tmp_path / "nowhere")
    said = " ".join(texts(section))
    assert "The decision map is not available" in said and "manifest.json" in said
    assert "eachcustomer evidence results/decision_map" in said
    assert not any(isinstance(c, dcc.Graph) for c in flatten(section))
    (tmp_path / "manifest.json").write_text('{"spec": 1}')
    said = " ".join(texts(evidence_section(tmp_path)))
    assert "manifest.json: no spec_sha256" in said
    assert isinstance(evidence_section(tmp_path)[0], html.H2)
