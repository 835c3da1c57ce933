"""OrgModel as a whole: analytic fixed points, attribution, reproducibility, Mesa's tools."""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from eachcustomer.sim.model import MECHANISMS, OrgModel
from eachcustomer.sim.organization import influence_matrix
from eachcustomer.sim.params import Params


def one_step_matrix(model: OrgModel) -> np.ndarray:
    """M = (1 - r) I + r P, the linear contagion step with self weight."""
    rate = model.params.contagion_rate
    p = influence_matrix(
        model.org, model.params.boss_weight, model.params.peer_weight, model.params.report_weight
    ).toarray()
    return (1 - rate) * np.eye(model.org.size) + rate * p


def left_eigenvector(matrix: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eig(matrix.T)
    vector = np.real(vectors[:, np.argmin(np.abs(values - 1.0))])
    return vector / vector.sum()


def test_degroot_conserves_eigenvector_weighted_mean_and_reaches_consensus(degroot_params):
    model = OrgModel(degroot_params, rng=11)
    weights = left_eigenvector(one_step_matrix(model))
    conserved = weights @ model.employees.attitude
    assert model.employees.attitude.std() > 0.1  # far from consensus at the start
    for _ in range(40):
        model.step()
        assert weights @ model.employees.attitude == pytest.approx(conserved, abs=1e-9)
    for _ in range(4000):
        model.step()
    np.testing.assert_allclose(model.employees.attitude, conserved, atol=1e-9)


def test_friedkin_johnsen_fixed_point(degroot_params):
    pull = 0.2
    model = OrgModel(degroot_params.replace(disposition_pull=pull), rng=12)
    m = one_step_matrix(model)
    d = model.employees.disposition
    fixed_point = np.linalg.solve(np.eye(len(d)) - (1 - pull) * m, pull * d)
    for _ in range(300):
        model.step()
    np.testing.assert_allclose(model.employees.attitude, fixed_point, atol=1e-9)
    # The fixed point is not simply the dispositions: the network mattered.
    assert np.abs(fixed_point - d).max() > 0.01


def test_mechanisms_switched_off_leave_everything_still(degroot_params):
    model = OrgModel(degroot_params.replace(contagion_rate=0.0), rng=13)
    before = model.employee_table()
    model.run(10)
    after = model.employee_table()
    pd.testing.assert_frame_equal(
        before.drop(columns="weeks_in_post"), after.drop(columns="weeks_in_post")
    )


def test_attribution_parts_sum_to_total_change():
    model = OrgModel(
        Params(n_employees=300),
        rng=5,
        interventions=[
            {"kind": "training_day", "start": 3, "strength": 0.4},
            {"kind": "slogan_campaign", "start": 2, "duration": 4, "strength": 0.5},
        ],
    )
    table = model.run(12)
    parts = table[[f"why_{m}" for m in MECHANISMS]].sum(axis=1)
    np.testing.assert_allclose(parts.iloc[1:], table["mean_attitude"].diff().iloc[1:], atol=1e-9)
    for mechanism in MECHANISMS:
        assert (table[f"why_{mechanism}"].abs() > 0).any(), mechanism
    by_department = model.attribution("department")
    change = by_department.groupby(["week", "group"])["change"].sum().unstack()
    for name in model.org.department_names:
        column = f"attitude_dept_{name.replace(' ', '_')}"
        np.testing.assert_allclose(change[name].iloc[1:], table[column].diff().iloc[1:], atol=1e-9)
    by_band = model.attribution("band").groupby(["week", "group"])["change"].sum().unstack()
    np.testing.assert_allclose(
        by_band["1"].iloc[1:], table["attitude_band_1"].diff().iloc[1:], atol=1e-9
    )


def test_colleagues_and_own_disposition_are_booked_apart(degroot_params):
    pull = 0.2
    model = OrgModel(degroot_params.replace(disposition_pull=pull), rng=12)
    attitude, disposition = model.employees.attitude.copy(), model.employees.disposition
    model.step()
    # One week, everything else off: contagion gives M a, then the pull gives
    # (1 - p) M a + p d; each part is the mean change it made.
    after_contagion = one_step_matrix(model) @ attitude
    row = model.outputs().iloc[1]
    assert row["why_contagion"] == pytest.approx(np.mean(after_contagion - attitude), abs=1e-12)
    assert row["why_disposition"] == pytest.approx(
        np.mean(pull * (disposition - after_contagion)), abs=1e-12
    )
    assert abs(row["why_disposition"]) > 1e-4
    for other in ("encounters", "drift", "turnover", "interventions"):
        assert row[f"why_{other}"] == pytest.approx(0.0, abs=1e-15)  # drift: -1 + (1 + a)
    by_band = model.attribution("band")
    assert set(by_band["mechanism"]) == set(MECHANISMS)


def test_same_seed_same_table_different_seed_different_table():
    first = OrgModel(Params(n_employees=200), rng=7).run(20)
    again = OrgModel(Params(n_employees=200), rng=7).run(20)
    other = OrgModel(Params(n_employees=200), rng=8).run(20)
    pd.testing.assert_frame_equal(first, again)
    assert not first["mean_attitude"].equals(other["mean_attitude"])


def test_keyword_overrides_match_params():
    by_keywords = OrgModel(n_employees=150, negativity_bias=2.0, rng=3).run(5)
    by_params = OrgModel(Params(n_employees=150, negativity_bias=2.0), rng=3).run(5)
    pd.testing.assert_frame_equal(by_keywords, by_params)


def test_agents_are_views_on_the_arrays():
    model = OrgModel(Params(n_employees=80), rng=4)
    model.run(3)
    assert len(model.agents) == 80
    agent = model.employee_agents[17]
    assert agent.attitude == model.employees.attitude[17]
    agent.attitude = -0.75
    assert model.employees.attitude[17] == -0.75
    assert model.employee_agents[0].boss is None
    assert agent.boss.position == model.org.boss[17]
    front = model.agents.select(lambda a: a.customer_facing)
    assert len(front) == int(model.org.customer_facing.sum())
    by_department = model.agents.groupby("department").agg("attitude", np.mean)
    assert by_department["sales"] == pytest.approx(
        model.employees.attitude[model.org.department == 0].mean()
    )
    assert agent.cell.coordinate == 17
    assert {a.position for a in agent.cell.neighborhood.agents} == set(
        sp.csr_matrix(model.org.adjacency())[17].indices.tolist()
    )


def test_mesa_batch_run_reads_the_models_datacollector():
    results = mesa.batch_run(
        OrgModel,
        parameters={"n_employees": 100, "negativity_bias": [1.0, 3.0], "rng": [1, 2]},
        max_steps=6,
        number_processes=1,
        display_progress=False,
    )
    assert len(results) == 4
    row = next(r for r in results if r["negativity_bias"] == 3.0 and r["rng"] == 2)
    # Mesa 3.3 steps while steps <= max_steps, Mesa 3.5 while steps < max_steps; either
    # way "Step" names the week whose row was reported.
    week = int(row["Step"])
    assert week >= 6
    direct = OrgModel(n_employees=100, negativity_bias=3.0, rng=2).run(week)
    assert row["mean_attitude"] == direct["mean_attitude"].iloc[week]
    assert row["why_disposition"] == direct["why_disposition"].iloc[week]


def test_datacollector_is_the_models_own_and_holds_the_output_table():
    model = OrgModel(Params(n_employees=100), rng=9)
    collector = model.datacollector
    assert isinstance(collector, mesa.DataCollector)
    model.run(3)
    assert model.datacollector is collector
    frame = collector.get_model_vars_dataframe()
    assert list(frame.columns) == list(model.outputs().columns)
    np.testing.assert_array_equal(frame["week"], [0, 1, 2, 3])
    np.testing.assert_array_equal(frame["mean_attitude"], model.outputs()["mean_attitude"])
    # What a user collects is kept, as in any Mesa model: the same week once more.
    collector.collect(model)
    assert model.datacollector.get_model_vars_dataframe()["week"].tolist() == [0, 1, 2, 3, 3]


def test_a_users_own_datacollector_reads_the_agents():
    model = OrgModel(Params(n_employees=100), rng=9)
    collector = mesa.DataCollector(
        model_reporters={"mean": lambda m: m.agents.agg("attitude", np.mean)},
        agent_reporters={"attitude": "attitude", "strain": "strain"},
    )
    for _ in range(3):
        model.step()
        collector.collect(model)
    agents = collector.get_agent_vars_dataframe()
    last = agents.xs(3, level="Step")
    np.testing.assert_allclose(
        np.sort(last["attitude"].to_numpy()), np.sort(model.employees.attitude)
    )
    assert collector.get_model_vars_dataframe()["mean"].iloc[-1] == pytest.approx(
        model.outputs()["mean_attitude"].iloc[-1]
    )


def test_seed_works_as_in_mesa():
    by_seed = OrgModel(Params(n_employees=80), seed=5)
    by_rng = OrgModel(Params(n_employees=80), rng=5)
    pd.testing.assert_frame_equal(by_seed.run(4), by_rng.run(4))
    assert by_seed.random.random() == by_rng.random.random()
    assert not OrgModel(Params(n_employees=80), seed=6).run(4).equals(by_rng.outputs())
    with pytest.raises(ValueError, match="either rng or seed"):
        OrgModel(Params(n_employees=80), seed=5, rng=5)


def test_mesa_network_and_agents_are_built_on_first_use_only(monkeypatch):
    import eachcustomer.sim.model

    built = []
    make_network = eachcustomer.sim.model.org_network
    monkeypatch.setattr(
        eachcustomer.sim.model,
        "org_network",
        lambda org, random: built.append(org) or make_network(org, random),
    )
    model = OrgModel(Params(n_employees=60), rng=2)
    table = model.run(3)
    assert built == []  # a run reads only the arrays
    assert len(model.agents) == 60 and len(built) == 1
    assert model.agent_types == [type(model.employee_agents[0])]
    assert len(model.agents_by_type[model.agent_types[0]]) == 60
    assert model.space[5] is model.employee_agents[5].cell
    assert len(built) == 1  # built once
    # Building them changes nothing of the run.
    pd.testing.assert_frame_equal(table, OrgModel(Params(n_employees=60), rng=2).run(3))
    with pytest.raises(AttributeError, match="model.agents"):
        model.agents = []


@pytest.mark.parametrize("first", ["space", "grid", "network", "agents_by_type", "agent_types"])
def test_every_mesa_entry_point_builds_the_agents_on_their_cells(first):
    # Mesa's space drawing reads `model.space.agents` (or `model.grid`) on a model that has
    # not been asked for its agents; it used to find the network empty (an IndexError).
    model = OrgModel(Params(n_employees=60), rng=2)
    getattr(model, first)
    for name in ("space", "grid", "network"):
        space = getattr(model, name)
        assert space is model.space
        assert len(space.agents) == 60
    assert sorted(agent.position for agent in model.space.agents) == list(range(60))
    assert len(model.agents) == 60 and len(model.employee_agents) == 60


def test_a_users_agent_reporter_builds_the_agents():
    model = OrgModel(Params(n_employees=40), rng=2)
    collector = mesa.DataCollector(agent_reporters={"attitude": "attitude"})
    collector.collect(model)
    assert len(collector.get_agent_vars_dataframe()) == 40


def test_agents_sit_on_the_cells_of_their_positions():
    model = OrgModel(Params(n_employees=60), rng=2)
    for agent in model.employee_agents:
        assert agent.cell is model.space[agent.position]
        assert list(agent.cell.agents) == [agent]
    assert len(model.space.all_cells) == 60


def test_history_keeps_every_week():
    model = OrgModel(Params(n_employees=50), rng=1, keep_history=True)
    model.run(4)
    history = model.attitude_history()
    assert history.shape == (5, 50)
    np.testing.assert_allclose(history[-1], model.employees.attitude, atol=1e-6)


def test_a_pair_tied_twice_weighs_once():
    from eachcustomer.sim.organization import Organization

    boss = np.array([-1, 0, 0, 1])
    org = Organization(
        boss=boss,
        department=np.zeros(4, dtype=np.int64),
        department_names=("sales",),
        department_customer_weight=np.array([0.5]),
        customer_facing=np.array([False, False, True, True]),
        handles_complaints=np.zeros(4, dtype=bool),
        peer_ties=np.array([[1, 2], [2, 1], [3, 1], [2, 2]]),
        employee_ids=("a", "b", "c", "d"),
    )
    np.testing.assert_array_equal(org.peer_ties, [[1, 2]])
    p = influence_matrix(org, boss_weight=2.0, peer_weight=1.0, report_weight=0.5).toarray()
    np.testing.assert_allclose(p[1], [2 / 3.5, 0, 1 / 3.5, 0.5 / 3.5])


def test_individuals_are_placed_on_the_front_line_of_their_department():
    model = OrgModel(
        Params(n_employees=200),
        rng=3,
        individuals=[{"department": "sales", "count": 3, "attitude": -0.9}],
    )
    placed = np.flatnonzero(model.employees.disposition == -0.9)
    assert len(placed) == 3
    assert np.all(model.org.customer_facing[placed])
    assert np.all(model.org.department[placed] == 0)
    with pytest.raises(ValueError, match="no department 'legal'"):
        OrgModel(
            Params(n_employees=200), rng=3, individuals=[{"department": "legal", "attitude": 0.0}]
        )


def test_a_datacollector_made_after_the_run_is_stamped_week_by_week(monkeypatch):
    model = OrgModel(Params(n_employees=60), rng=1)
    table = model.run(3)
    model.time = 3.0  # Mesa 3.5 keeps the model's time, one per week here (3.3 has none)
    stamps = []

    class Stamping(mesa.DataCollector):
        def collect(self, model):
            stamps.append(model.time)
            super().collect(model)

    monkeypatch.setattr(mesa, "DataCollector", Stamping)
    frame = model.datacollector.get_model_vars_dataframe()
    assert stamps == [0.0, 1.0, 2.0, 3.0] and model.time == 3.0
    np.testing.assert_array_equal(frame["mean_attitude"], table["mean_attitude"])


def test_mesa_batch_run_reports_every_week_as_the_model_ran_it():
    results = mesa.batch_run(
        OrgModel,
        parameters={"n_employees": 80, "rng": 4},
        max_steps=5,
        number_processes=1,
        data_collection_period=1,
        display_progress=False,
    )
    direct = OrgModel(n_employees=80, rng=4).run(len(results) - 1)
    assert [int(r["Step"]) for r in results] == list(range(len(results)))
    assert [r["mean_attitude"] for r in results] == direct["mean_attitude"].tolist()


def test_a_mesa_scenario_seeds_the_model_and_carries_its_parameters():
    # Mesa 3.5's experimental Scenario, which SolaraViz's Reset passes to the model.
    scenarios = pytest.importorskip("mesa.experimental.scenarios")
    scenario = scenarios.Scenario(rng=5, negativity_bias=3.0)
    from_scenario = OrgModel(n_employees=60, scenario=scenario)
    assert from_scenario.params.negativity_bias == 3.0
    expected = OrgModel(Params(n_employees=60, negativity_bias=3.0), rng=5).run(3)
    pd.testing.assert_frame_equal(from_scenario.run(3), expected)
    # Reset's bare Scenario() beside the seed slider: the seed decides.
    reset = OrgModel(n_employees=60, seed=5, scenario=scenarios.Scenario())
    pd.testing.assert_frame_equal(reset.run(3), OrgModel(Params(n_employees=60), rng=5).run(3))
    with pytest.raises(ValueError, match="must be the same"):
        OrgModel(n_employees=60, rng=5, scenario=scenarios.Scenario(rng=6))
