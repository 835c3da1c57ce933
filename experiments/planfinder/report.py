"""What a plan search found (`PlanReport`) and its files: front, convergence, library check,
recommendation.

Tables go through `eachcustomer.experiments.loading.files.write_table` (atomic; CSV cells safe for
spreadsheets), charts are interactive plotly HTML sharing one plotly.min.js in the folder,
and the recommendation is a scenario TOML plus a page of text (recommended.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from eachcustomer.experiments.loading.files import write_atomically, write_table
from eachcustomer.experiments.planfinder.charts import convergence_figure, front_figure
from eachcustomer.experiments.planfinder.evaluator import Tally
from eachcustomer.experiments.planfinder.export import scenario_document, scenario_text
from eachcustomer.experiments.planfinder.findings import natural_values
from eachcustomer.experiments.planfinder.problem import PlanProblem
from eachcustomer.experiments.planfinder.search import SearchResult
from eachcustomer.experiments.planfinder.wording import Effect, effect_sentence
from eachcustomer.sim.interventions import Intervention


@dataclass
class PlanReport:
    """What a plan search found, and where it is written."""

    problem: PlanProblem
    result: SearchResult
    front: pd.DataFrame
    recommended_key: str
    sentence: str
    effects: list[Effect]
    references: pd.DataFrame
    library: pd.DataFrame = field(default_factory=pd.DataFrame)
    library_notes: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    @property
    def tally(self) -> Tally:
        return self.result.tally

    @property
    def recommended_plan(self) -> tuple[Intervention, ...]:
        return self.result.candidates[self.recommended_key].plan

    def effect_lines(self) -> list[str]:
        """Each objective's expected outcome, with its interval, against doing nothing."""
        return [effect_sentence(effect) for effect in self.effects]


def candidates_table(report: PlanReport) -> pd.DataFrame:
    """Every evaluated candidate of the search: key, generation, status, objectives."""
    rows = []
    for key, candidate in report.result.candidates.items():
        rows.append(
            {
                "key": key,
                "generation": candidate.generation,
                "status": candidate.record.get("status"),
                "error": candidate.record.get("error"),
                "plan_cost": candidate.cost,
                "on_front": key in report.result.front,
                **natural_values(report.problem, candidate.objectives),
            }
        )
    return pd.DataFrame(rows)


def summary_text(report: PlanReport) -> str:
    """The recommendation, its effects on fresh seeds and the library check, as Markdown."""
    problem = report.problem
    seeds = problem.validation_seeds
    tally = report.tally
    last = report.result.convergence.iloc[-1]
    lines = [
        f"# {problem.spec.title}",
        "",
        "## Recommended plan",
        "",
        report.sentence,
        "",
        f"Expected at week {problem.weeks}, over {len(seeds)} replications the search did not "
        "use (seeds from replication "
        f"{problem.spec.replications} of master seed {problem.spec.seed} on; 95% t intervals; "
        "differences paired by seed):",
        "",
        *[f"- {line}" for line in report.effect_lines()],
        "",
        "Objectives: "
        + "; ".join(f"{o.goal} {o.label}" for o in problem.objectives)
        + ". Money in the model's currency (US dollars at the shipped defaults).",
        "",
        "## Search",
        "",
        f"NSGA-II, {problem.spec.search.population} plans a generation for "
        f"{problem.spec.search.generations} generations, each plan on the same "
        f"{problem.spec.replications} replication seeds: {len(report.result.candidates)} distinct "
        f"plans evaluated, {int(last['front_size'])} on the front, hypervolume "
        f"{last['hypervolume']:.4f} at the last generation ({tally.fresh} evaluations run in "
        f"this session, {tally.cached} read from the cache, {tally.failed} failed).",
    ]
    if report.library_notes:
        lines += ["", "## Against the plan library at the same budget", ""]
        lines += [f"- {note}" for note in report.library_notes]
    lines += [
        "",
        "`eachcustomer run recommended.toml --seed SEED` runs the recommended plan; with a "
        "seed of the search (generations.parquet lists the candidates, evaluations/ their "
        "seeds) it repeats that replication number for number"
        + (" (add `--posterior FOLDER`: the parameters were drawn)." if problem.draws else "."),
    ]
    return "\n".join(lines) + "\n"


def write_chart(figure: Any, path: Path) -> Path:
    """An interactive chart as HTML, beside one shared plotly.min.js (no network needed)."""
    write_atomically(
        path, lambda temporary: figure.write_html(temporary, include_plotlyjs="directory")
    )
    return path


def write_outputs(report: PlanReport, out: Path) -> list[Path]:
    """Write every output file of the search into `out`; the paths written."""
    problem = report.problem
    written = [
        write_table(report.front, out / "front.parquet"),
        write_table(report.result.convergence, out / "convergence.csv"),
        write_table(candidates_table(report), out / "candidates.parquet"),
    ]
    if not report.library.empty:
        written.append(write_table(report.library, out / "library.csv"))
    figures = {
        "front.html": front_figure(report.front, problem.objectives, report.references),
        "convergence.html": convergence_figure(report.result.convergence),
    }
    for name, figure in figures.items():
        written.append(write_chart(figure, out / name))
    description = (
        f"{report.sentence}\n\nFound by `eachcustomer plan` for the spec "
        f"'{problem.spec.title}' (master seed {problem.spec.seed}); see recommended.md beside "
        "this file for its expected effects."
    )
    if problem.draws:
        description += (
            " Its replications drew the fitted parameters from a calibration's posterior: "
            "`eachcustomer run THIS_FILE --posterior FOLDER --seed SEED` repeats one."
        )
    document = scenario_document(problem, report.recommended_plan, description, out)
    text = scenario_text(document)
    write_atomically(
        out / "recommended.toml", lambda path: Path(path).write_text(text, encoding="utf-8")
    )
    summary = summary_text(report)
    write_atomically(
        out / "recommended.md", lambda path: Path(path).write_text(summary, encoding="utf-8")
    )
    return [*written, out / "recommended.toml", out / "recommended.md"]
