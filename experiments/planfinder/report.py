"""What a plan search found (`PlanReport`) and its files: front, convergence, library check,
recommendation.

Tables go through `eachcustomer.experiments.loading.files.write_table` (atomic; CSV cells safe for
spreadsheets), charts are interactive plotly HTML sharing one plotly.min.js in the folder,
and the recommendation is a scenario TOML plus a page of text (recommended.md) with forest
plots (forest_<objective>.html; their rows in forest.csv).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from eachcustomer.experiments.analysis.outcomes import outcome as outcome_of
from eachcustomer.experiments.loading.files import write_atomically, write_table
from eachcustomer.experiments.planfinder.charts import convergence_figure, front_figure
from eachcustomer.experiments.planfinder.confirmation import (
    Confirmation,
    lever_sentences,
    shrinkage_sentence,
)
from eachcustomer.experiments.planfinder.evaluator import Tally
from eachcustomer.experiments.planfinder.export import scenario_document, scenario_text
from eachcustomer.experiments.planfinder.findings import forest_effects, natural_values
from eachcustomer.experiments.planfinder.objectives import Objective
from eachcustomer.experiments.planfinder.problem import PlanProblem
from eachcustomer.experiments.planfinder.search import SearchResult
from eachcustomer.experiments.planfinder.selection import Selection
from eachcustomer.experiments.planfinder.wording import Effect, amount, effect_sentence
from eachcustomer.experiments.reports.forest import forest_figure
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
    selection: Selection | None = None
    confirmation: Confirmation | None = None
    forest: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Each finalist's and the chosen plan's paired effect against doing nothing per
    objective (`findings.forest_table`): rows of `reports.forest.Effect`."""
    heading: str = "Recommended plan"
    paragraphs: list[str] = field(default_factory=list)
    """What a leader reads first: the plan, or that no plan reliably beats doing nothing."""
    files: list[Path] = field(default_factory=list)

    @property
    def recommended(self) -> bool:
        """Whether the chosen plan beat doing nothing on fresh seeds (and is recommended)."""
        return self.confirmation is None or self.confirmation.beats_nothing

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


def selection_sentence(problem: PlanProblem, selection: Selection) -> str:
    """How the plan was chosen among the finalists, in words."""
    unit = amount(selection.indifference, problem.primary.outcome)
    zone = f"an indifference zone of {unit}" + (
        "" if selection.indifference_given else " (a tenth of the best first-stage effect)"
    )
    text = (
        f"Chosen among {len(selection.finalists)} finalists by Kim and Nelson's fully "
        f"sequential procedure (95% probability of correct selection, {zone}) on "
        f"{problem.primary.label}, each on {selection.first} to {selection.replications} fresh "
        "replications"
    )
    if selection.separated:
        return text + ": it is separated from the others."
    close = len(selection.survivors) - 1
    return (
        text + f": the cap of {selection.cap} replications was reached with {close} other "
        f"finalist{'s' * (close != 1)} too close to call; any of them is about as good."
    )


def explanation(report: PlanReport) -> list[str]:
    """The selection, the shrinkage and each lever's worth, one sentence each."""
    lines = []
    if report.selection is not None:
        lines.append(selection_sentence(report.problem, report.selection))
    if report.confirmation is not None:
        lines.append(shrinkage_sentence(report.problem, report.confirmation))
        lines += lever_sentences(report.problem, report.confirmation)
    return lines


def summary_text(report: PlanReport) -> str:
    """The recommendation (or that there is none), its effects on fresh seeds, how it was
    chosen, the search and the library check, as Markdown."""
    problem = report.problem
    seeds = problem.validation_seeds
    tally = report.tally
    last = report.result.convergence.iloc[-1]
    first_fresh = problem.spec.replications + problem.spec.search.replication_cap
    lines = [
        f"# {problem.spec.title}",
        "",
        f"## {report.heading}",
        "",
        *[line for paragraph in report.paragraphs for line in (paragraph, "")],
        f"Expected at week {problem.weeks}, over {len(seeds)} replications neither the search "
        "nor the selection used (seeds from replication "
        f"{first_fresh} of master seed {problem.spec.seed} on; 95% t intervals; "
        "differences paired by seed):",
        "",
        *[f"- {line}" for line in report.effect_lines()],
        "",
        *[f"- {line}" for line in explanation(report)],
        "",
        "Objectives: "
        + "; ".join(f"{o.goal} {o.label}" for o in problem.objectives)
        + f". Primary objective (what a plan must beat doing nothing on): {problem.primary.label}."
        " Money in the model's currency (US dollars at the shipped defaults).",
    ]
    if not report.forest.empty:
        lines += [
            "",
            "Each finalist's effect against doing nothing, with its paired interval: "
            + ", ".join(f"[{o.label}]({forest_file(o)})" for o in forest_objectives(report))
            + ".",
        ]
    lines += [
        "",
        "## Search",
        "",
        f"NSGA-II, {problem.spec.search.population} plans a generation for "
        f"{problem.spec.search.generations} generations, each plan on the same "
        f"{problem.spec.replications} replication seeds: {len(report.result.candidates)} distinct "
        f"plans evaluated, {len(report.result.front)} on the front, hypervolume "
        f"{last['hypervolume']:.4f} at the last generation ({tally.fresh} evaluations run in "
        f"this session, {tally.cached} read from the cache, {tally.failed} failed). The "
        "front's numbers (front.parquet, front.html) are the finalists' on fresh replications; "
        "the search's own are beside them (search_*).",
    ]
    if report.library_notes:
        lines += ["", "## Against the plan library at the same budget", ""]
        lines += [f"- {note}" for note in report.library_notes]
    lines += [
        "",
        "`eachcustomer run recommended.toml --seed SEED` runs the "
        + ("recommended plan" if report.recommended else "best candidate")
        + "; with a seed of the search (generations.parquet lists the candidates, evaluations/ "
        "their seeds) it repeats that replication number for number"
        + (" (add `--posterior FOLDER`: the parameters were drawn)." if problem.draws else "."),
    ]
    return "\n".join(lines) + "\n"


def forest_objectives(report: PlanReport) -> list[Objective]:
    names = set(report.forest["objective"])
    return [o for o in report.problem.objectives if o.name in names]


def forest_file(objective: Objective) -> str:
    return f"forest_{objective.name}.html"


def forest_chart(report: PlanReport, objective: Objective) -> Any:
    """One objective's forest plot: the chosen plan and every finalist against doing nothing."""
    info = outcome_of(objective.outcome)
    return forest_figure(
        forest_effects(report.forest, objective.name),
        info.label,
        tickformat=info.fmt.lstrip("+"),
        title=f"Against doing nothing: {info.label} (fresh replications)",
    )


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
    if not report.forest.empty:
        written.append(write_table(report.forest, out / "forest.csv"))
    figures = {
        "front.html": front_figure(
            report.front, problem.objectives, report.references, chosen=chosen_name(report)
        ),
        "convergence.html": convergence_figure(report.result.convergence),
    }
    if not report.forest.empty:
        figures.update({forest_file(o): forest_chart(report, o) for o in forest_objectives(report)})
    for name, figure in figures.items():
        written.append(write_chart(figure, out / name))
    opening = report.sentence
    if not report.recommended:
        opening = (
            "Not a recommendation: no plan the finder found reliably beats doing nothing "
            f"on {problem.primary.label}; this is the best candidate. {report.sentence}"
        )
    description = (
        f"{opening}\n\nFound by `eachcustomer plan` for the spec "
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


def chosen_name(report: PlanReport) -> str:
    """The chosen plan's name on the front chart."""
    return "recommended" if report.recommended else "best candidate (not recommended)"
