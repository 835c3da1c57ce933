"""The commands that turn finished results into reports: analyze, headline, evidence."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from eachcustomer.extras import tell_skipped
from eachcustomer.options import console
from eachcustomer.userrors import CommandLineError

EVIDENCE_FOLDER = Path("experiments/specs/evidence/decision_map")
"""`eachcustomer.experiments.reports.evidence.FOLDER`, written out so that --help imports
nothing heavy."""

NO_CHROME = "No PNG: kaleido found no Chrome or Chromium (`plotly_get_chrome` downloads one)."


def say_skipped(sentence: str) -> None:
    """A part left out because its extra is missing (`eachcustomer.extras.ExtraSkipped`)."""
    console.print(f"[yellow]{escape(sentence)}[/yellow]")


def analyze(
    folder: Annotated[Path, typer.Argument(metavar="FOLDER", help="A sweep's results folder.")],
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            metavar="FOLDER",
            help="Where to write the report (default: the results folder's report/).",
        ),
    ] = None,
    confidence: Annotated[
        float,
        typer.Option(
            min=0.5, max=0.999, metavar="LEVEL", help="Level of the confidence intervals."
        ),
    ] = 0.95,
) -> None:
    """Analyze a sweep: an HTML report with figures, and the tables behind it as CSV."""
    from eachcustomer.experiments.analysis.tables import progress
    from eachcustomer.experiments.loading.files import check_folder_path
    from eachcustomer.experiments.loading.folders import REPORT, check_folder_kind
    from eachcustomer.experiments.reports.report import write_report

    check_folder_kind(
        check_folder_path(report if report is not None else folder / "report"), REPORT
    )
    left_out: list[str] = []  # PRIM without its extra: the rest is written, said last
    with tell_skipped(left_out.append):
        page = write_report(folder, report, confidence=confidence)
    counts = progress(folder)
    console.print(
        f"{counts['ok']} runs ok, {counts['failed']} failed, {counts['missing']} "
        f"missing. Report: [bold]{page}[/bold]; tables: "
        f"{', '.join(sorted(p.name for p in page.parent.glob('*.csv')))}"
    )
    for sentence in left_out:
        say_skipped(sentence)


def headline(
    folder: Annotated[
        Path,
        typer.Argument(
            metavar="FOLDER", help="Results folder of the built-in sweep spec headline."
        ),
    ],
    out: Annotated[
        Path,
        typer.Option("--out", metavar="FOLDER", help="Folder for the figure and its table."),
    ] = Path("docs/figures"),
) -> None:
    """Draw the README's headline figure from the headline sweep's results."""
    from eachcustomer.experiments.loading.files import check_folder_path
    from eachcustomer.experiments.loading.folders import FIGURES, check_folder_kind
    from eachcustomer.experiments.reports.headline import write_headline

    check_folder_kind(check_folder_path(out), FIGURES)

    left_out: list[str] = []
    with tell_skipped(left_out.append):
        written = write_headline(folder, out)
    console.print("Written: " + ", ".join(str(path) for path in written))
    say_no_png(written, left_out)


def evidence(
    folder: Annotated[
        Path,
        typer.Argument(
            metavar="FOLDER",
            help="Results folder of a finished sweep of two plans (the built-in sweep spec "
            "decision_map); or an evidence folder, restated from its own tables with no run "
            "(intervals adjusted for the map's many cells).",
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            metavar="FOLDER",
            help="The evidence folder to write (default: the shipped one, from the "
            "repository's root).",
        ),
    ] = EVIDENCE_FOLDER,
    spec: Annotated[
        str | None,
        typer.Option(
            "--spec",
            metavar="SPEC",
            help="The sweep spec the evidence stands for, a built-in's name or a file "
            "(default: the one the sweep ran); where the runs differ from it, the manifest "
            "says how.",
        ),
    ] = None,
    figures: Annotated[
        Path,
        typer.Option("--figures", metavar="FOLDER", help="Folder for the maps' PNG files."),
    ] = Path("docs/figures"),
) -> None:
    """Write the decision map, break-even and PRIM regions of a sweep as a shipped folder."""
    from eachcustomer.experiments.loading.files import check_folder_path
    from eachcustomer.experiments.loading.folders import EVIDENCE, FIGURES, check_folder_kind
    from eachcustomer.experiments.reports.evidence import (
        EvidenceError,
        build_evidence,
        is_evidence_folder,
        restate_evidence,
    )

    check_folder_kind(check_folder_path(out), EVIDENCE)
    check_folder_kind(check_folder_path(figures), FIGURES)
    left_out: list[str] = []
    try:
        with tell_skipped(left_out.append):
            if is_evidence_folder(folder):
                restate_to = None if out == EVIDENCE_FOLDER else out
                written = restate_evidence(folder, restate_to, figures=figures)
            else:
                written = build_evidence(folder, out, spec=spec, figures=figures)
    except EvidenceError as error:
        raise CommandLineError(str(error)) from None
    console.print("Written: " + ", ".join(str(path) for path in written))
    say_no_png(written, left_out)


def say_no_png(written: list[Path], left_out: list[str]) -> None:
    """Why no PNG was written: its extra is missing (said by `left_out`), or Chromium is."""
    for sentence in left_out:
        say_skipped(sentence)
    if not left_out and not any(path.suffix == ".png" for path in written):
        console.print(NO_CHROME)
