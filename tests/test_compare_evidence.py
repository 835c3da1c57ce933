"""Compare's "Where the verdict holds": the shipped map drawn, or a plain sentence."""

from __future__ import annotations

import numpy as np
import pandas as pd
from dash import dcc, html

from eachcustomer.dashboard.compare.evidence import EVIDENCE_FOLDER, evidence_section


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
            index="disposition_pull", columns="price_multiplier", values="mean"
        )
        heatmap = graph.figure.data[0]
        assert heatmap.type == "heatmap"
        np.testing.assert_allclose(np.array(heatmap.z, dtype=float), grid.to_numpy())
        assert "the model's defaults" in [trace.name for trace in graph.figure.data]
    regions = next(
        c for c in flatten(section) if getattr(c, "id", None) == "compare-evidence-regions"
    )
    assert len(regions.children) == 2 * table["outcome"].nunique()
    assert all("does better than" in item.children for item in regions.children)
    said = " ".join(texts(section))
    assert "the built-in sweep spec decision_map" in said
    assert "eachcustomer sweep decision_map --out results/decision_map" in said
    assert "At the model's defaults (price_multiplier = 1 and disposition_pull" in said


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
