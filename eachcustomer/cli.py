"""The `eachcustomer` command: run, list the built-ins, sweep, find plans, analyze, dashboard.

Each command lives in a module of its own; this one gathers them into `app`, the entry point.
"""

from __future__ import annotations

from typing import Annotated

import typer

from eachcustomer.calibrate import calibrate
from eachcustomer.fitfirm import fit_firm
from eachcustomer.helpformat import Command
from eachcustomer.listing import list_builtins
from eachcustomer.options import console
from eachcustomer.plan import plan
from eachcustomer.reports import analyze, evidence, headline
from eachcustomer.run import plans, run, scenarios
from eachcustomer.sweep import sweep
from eachcustomer.userrors import CommandLineError, Commands

app = typer.Typer(
    cls=Commands,
    help="EachCustomer: how attitudes toward customers form and spread inside an "
    "organization. Run `eachcustomer COMMAND --help` for each command.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def dashboard(
    host: Annotated[
        str,
        typer.Option(
            metavar="ADDRESS",
            help="Address to listen on; 127.0.0.1 keeps the dashboard on this computer. "
            "0.0.0.0 opens it to your network (no login: only on a network you trust).",
        ),
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(min=1, max=65535, metavar="PORT", help="Port to listen on.")
    ] = 8050,
    max_jobs: Annotated[
        int | None,
        typer.Option(
            "--max-jobs",
            min=1,
            max=64,
            metavar="N",
            help="Simulations the dashboard runs at once for all its users; later ones wait "
            "in line [default: EACHCUSTOMER_MAX_JOBS (at most 64 too), else 2].",
        ),
    ] = None,
) -> None:
    """Open the dashboard: explore what-ifs, compare plans, run lessons, in your browser."""
    from eachcustomer.dashboard.app import create_app
    from eachcustomer.dashboard.jobs import JobsSettingError, max_jobs_setting

    try:
        max_jobs = max_jobs_setting(max_jobs)
    except JobsSettingError as error:
        raise CommandLineError(str(error)) from None
    dash_app = create_app(max_jobs=max_jobs, host=host)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    console.print(
        f"EachCustomer dashboard: open [bold]http://{shown}:{port}/[/bold] in your "
        "browser (Ctrl+C stops it)."
    )
    if host != "127.0.0.1" and host != "localhost":
        console.print(
            f"[yellow]Listening on {host}: anyone who can reach this computer on "
            f"port {port} can use the dashboard.[/yellow]"
        )
    # A port in use or an unknown host: werkzeug says so and exits 1, without a traceback.
    dash_app.run(host=host, port=port, debug=False)


# The order here is the order of `eachcustomer --help`.
for command in (
    run,
    list_builtins,
    scenarios,
    plans,
    sweep,
    calibrate,
    fit_firm,
    plan,
    analyze,
    headline,
    evidence,
    dashboard,
):
    name = "list" if command is list_builtins else "fit-firm" if command is fit_firm else None
    app.command(name, cls=Command)(command)


def main() -> None:
    """Entry point for `python -m eachcustomer`."""
    app()


if __name__ == "__main__":
    main()
