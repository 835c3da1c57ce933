"""Batched replications: a replication gives the same numbers alone and in any batch."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eachcustomer.experiments.running.runs import run_batch, run_model, run_replications
from eachcustomer.sim.batch import Batch, start_replication
from eachcustomer.sim.model import OrgModel
from eachcustomer.sim.params import Params
from eachcustomer.sim.replications import replication_seeds

PARAMS = Params(n_employees=90, customers_per_employee=12, turnover_rate=0.03, focus_noise=0.05)
WEEKS = 14
PLANS = {
    "nothing": None,
    "training": [{"kind": "training_day", "start": 3, "strength": 0.5, "coverage": {"share": 0.5}}],
    "culture": [
        {"kind": "language", "start": 2, "strength": 0.5},
        {"kind": "frontline_support", "start": 4, "strength": 0.6, "coverage": {"share": 0.7}},
        {"kind": "hiring_for_attitude", "start": 1, "strength": 0.4},
        {"kind": "leadership_tone", "start": 5, "strength": 0.5},
        {"kind": "slogan_campaign", "start": 2, "duration": 6, "strength": 0.5},
    ],
}
SEEDS = replication_seeds(11, 4)


@pytest.fixture(scope="module")
def alone() -> dict[str, list[pd.DataFrame]]:
    """Every plan and seed run by itself, as a Mesa model."""
    return {
        name: [OrgModel(PARAMS, rng=seed, interventions=plan).run(WEEKS) for seed in SEEDS]
        for name, plan in PLANS.items()
    }


@pytest.mark.parametrize("batch_size", [1, 3, 5, 100])
def test_a_replication_gives_the_same_table_alone_and_in_a_batch_of_any_size(alone, batch_size):
    batched = run_replications(PARAMS, SEEDS, PLANS, weeks=WEEKS, batch_size=batch_size)
    assert list(batched) == list(PLANS)
    for name in PLANS:
        assert len(batched[name]) == len(SEEDS)
        for by_itself, result in zip(alone[name], batched[name], strict=True):
            pd.testing.assert_frame_equal(result.series, by_itself, check_exact=True)


def test_the_comparison_is_not_of_identical_runs(alone):
    tables = [table for runs in alone.values() for table in runs]
    finals = {float(table["mean_attitude"].iloc[-1]) for table in tables}
    assert len(finals) == len(tables)  # every plan and seed ends somewhere else
    assert (alone["culture"][0]["intervention_spend_total"] >= 0).all()
    # Plans share the model's random numbers: until a plan acts, its weeks are identical.
    pd.testing.assert_frame_equal(alone["nothing"][1].iloc[:3], alone["training"][1].iloc[:3])


def test_run_model_and_run_batch_are_the_same_runs(alone):
    by_run_model = run_model(PARAMS, SEEDS[2], interventions=PLANS["training"], weeks=WEEKS)
    pd.testing.assert_frame_equal(by_run_model.series, alone["training"][2], check_exact=True)
    # A batch in another order, a plan and seed repeated: each run is still itself.
    runs = [(SEEDS[2], PLANS["culture"]), (SEEDS[0], None), (SEEDS[2], PLANS["culture"])]
    first, second, third = run_batch(PARAMS, runs, weeks=WEEKS)
    pd.testing.assert_frame_equal(first.series, alone["culture"][2], check_exact=True)
    pd.testing.assert_frame_equal(second.series, alone["nothing"][0], check_exact=True)
    pd.testing.assert_frame_equal(third.series, first.series, check_exact=True)
    assert first.record == third.record


def test_a_batch_on_a_loaded_organization_keeps_each_replication_apart():
    from tests.test_reference import hand_made_org

    org = hand_made_org()
    params = Params(customers_per_employee=20, turnover_rate=0.05)
    seeds = [3, 4, 5]
    batched = run_replications(params, seeds, org=org, weeks=10, batch_size=3)[""]
    for seed, result in zip(seeds, batched, strict=True):
        by_itself = OrgModel(params, org=org, rng=seed).run(10)
        pd.testing.assert_frame_equal(result.series, by_itself, check_exact=True)


def test_a_batch_holds_its_replications_side_by_side():
    replications = [start_replication(PARAMS, None, seed) for seed in SEEDS[:3]]
    batch = Batch(replications, PARAMS, keep_history=True)
    sizes = [r.org.size for r in replications]
    np.testing.assert_array_equal(batch.employee_start, np.cumsum([0, *sizes]))
    # No tie crosses from one replication to another.
    listener = np.repeat(np.arange(batch.influence.size), np.diff(batch.influence.row_start))
    copy = np.searchsorted(batch.employee_start, np.arange(sum(sizes)), side="right") - 1
    assert np.all(copy[listener] == copy[batch.influence.speaker])
    for _ in range(3):
        batch.step()
    assert batch.recorder.history(1).shape == (4, sizes[1])
    assert [len(t) for t in batch.recorder.tables()] == [4, 4, 4]
    by_band = batch.recorder.attribution_table("band", 2)
    assert set(by_band["group"]) == {"1", "2", "3", "4plus"}


def test_a_seed_sequence_gives_the_same_run_alone_and_in_a_batch():
    # Seeds other than integers go through Mesa's rule (which may draw from the generator
    # to seed Mesa's own `random`), in a batch as in a model.
    seed = np.random.SeedSequence(5).spawn(2)[1]
    alone = run_model(PARAMS, seed, weeks=6)
    [batched] = run_batch(PARAMS, [(seed, None)], weeks=6)
    pd.testing.assert_frame_equal(batched.series, alone.series, check_exact=True)


def test_each_replication_draws_its_own_offer_and_keeps_it_in_a_batch():
    params = PARAMS.replace(offer_weight=0.5, offer_quality_sd=0.3, lasting_share=0.4)
    plans = {name: PLANS[name] for name in ("nothing", "training")}
    batched = run_replications(params, SEEDS, plans, weeks=WEEKS, batch_size=3)
    for name, plan in plans.items():
        for seed, result in zip(SEEDS, batched[name], strict=True):
            by_itself = OrgModel(params, rng=seed, interventions=plan).run(WEEKS)
            pd.testing.assert_frame_equal(result.series, by_itself, check_exact=True)
    batch = Batch([start_replication(params, None, seed) for seed in SEEDS], params)
    offers = batch.customers.offer_quality
    assert len(set(offers.tolist())) == len(SEEDS)  # each replication its own offer
    for seed, offer in zip(SEEDS, offers, strict=True):
        assert OrgModel(params, rng=seed).customers.offer_quality.tolist() == [offer]
    # The offer and the lasting share act: the tables differ from those without them.
    without = run_replications(PARAMS, SEEDS[:1], plans, weeks=WEEKS)
    for name in plans:
        assert not without[name][0].series.equals(batched[name][0].series)


def test_nothing_to_run_is_refused_not_returned_empty():
    # A scenario that names the library's plans has no plans of its own: passing its
    # (empty) `plans` once returned {} without a word.
    with pytest.raises(ValueError, match="no plans to run.*resolve_plan"):
        run_replications(PARAMS, SEEDS, {}, weeks=WEEKS)
    with pytest.raises(ValueError, match="no seeds to run"):
        run_replications(PARAMS, [], PLANS, weeks=WEEKS)


def test_a_runs_outputs_are_arrays_and_its_table_is_the_models(alone):
    from eachcustomer.experiments.running.runs import summarize

    first, second = run_batch(PARAMS, [(SEEDS[0], PLANS["training"]), (SEEDS[1], None)], weeks=6)
    model = OrgModel(PARAMS, rng=SEEDS[0], interventions=PLANS["training"])
    table = model.run(6)
    assert first.columns == tuple(table.columns)
    assert first.values.shape == (7, len(table.columns))
    assert "series" not in vars(first)  # no table is built until one is asked for
    pd.testing.assert_frame_equal(first.series, table, check_exact=True)
    assert first.series is first.series  # built once
    np.testing.assert_array_equal(first.column("mean_attitude"), table["mean_attitude"])
    assert first.column("active_customers").dtype == float
    with pytest.raises(KeyError, match="no_such_output"):
        first.column("no_such_output")
    # The record summarized from the arrays is the one summarized from the table.
    from_table = summarize(table)
    assert from_table.keys() == first.record.keys()
    assert pd.Series(from_table, dtype=float).equals(pd.Series(first.record, dtype=float))
    assert first.record["final_mean_attitude"] == table["mean_attitude"].iloc[-1]
    assert second.record["final_mean_attitude"] != first.record["final_mean_attitude"]


def test_a_seed_seen_before_starts_from_its_kept_organization_with_the_same_numbers():
    from eachcustomer.experiments.running import runs

    params = PARAMS.replace(n_employees=70)
    seed = SEEDS[3]
    runs._ORGANIZATIONS.clear()
    [drawn] = run_batch(params, [(seed, PLANS["training"])], weeks=5)
    assert len(runs._ORGANIZATIONS) == 1
    [(kept, _)] = runs._ORGANIZATIONS.values()
    assert not kept.boss.flags.writeable  # shared by later runs: no run may change it
    [again, other] = run_batch(params, [(seed, PLANS["training"]), (SEEDS[2], None)], weeks=5)
    assert len(runs._ORGANIZATIONS) == 2
    pd.testing.assert_frame_equal(again.series, drawn.series, check_exact=True)
    model = OrgModel(params, rng=seed, interventions=PLANS["training"])
    pd.testing.assert_frame_equal(again.series, model.run(5), check_exact=True)
    assert other.record["final_mean_attitude"] != again.record["final_mean_attitude"]
