"""The Dash app: one subpackage a page (explore/, compare/, ...), a shared header, the session's
settings store.

Background callbacks (long runs with a progress bar and a cancel button) run in a
`eachcustomer.dashboard.jobs.JobManager` (Dash's disk-cache manager with a bound on simultaneous
jobs and one job per browser session) whose cache lives in a fresh temporary folder. No state is
kept in module globals: the session's scenario lives in the browser (`dcc.Store` "settings"),
and runs are keyed by the background-callback cache. Class sessions are the one exception: a
class shares one game, so it lives in the server process, in the `ClassRegistry` the Flask
app holds (`eachcustomer.dashboard.classroom.sessions`), bounded and ended when its teacher
leaves.
"""

from __future__ import annotations

import atexit
import importlib
import shutil
import tempfile
from pathlib import Path

import dash
import diskcache
from dash import Dash, Input, Output, State, clientside_callback, dcc, html
from werkzeug.exceptions import RequestEntityTooLarge

from eachcustomer.dashboard import guard
from eachcustomer.dashboard.classroom.sessions import ClassRegistry
from eachcustomer.dashboard.classroom.web import HOST_SETTING
from eachcustomer.dashboard.classroom.web import install as serve_class
from eachcustomer.dashboard.jobs import NOTICE_ID, JobManager, max_jobs_setting
from eachcustomer.dashboard.settings import MAX_CHART_BYTES, default_settings
from eachcustomer.dashboard.sweeps.runner import serve_reports

HERE = Path(__file__).parent
MAX_REQUEST_BYTES = 8 * 1024 * 1024
"""Largest request the server reads: an upload above the chart limit still gets a message."""
PAGES = (
    "explore",
    "organization",
    "firm",
    "compare",
    "plan_finder",
    "sweeps",
    "learn",
    "classroom",
)
"""The pages in menu order: each a subpackage of the dashboard whose `page` module registers it."""
NAVIGATION = (
    ("Explore", "/explore"),
    ("Organization", "/organization"),
    ("Your organization", "/your-organization"),
    ("Compare", "/compare"),
    ("Plan finder", "/plan-finder"),
    ("Experiments", "/experiments"),
    ("Learn", "/learn"),
    ("Class", "/class"),
)


def header() -> html.Header:
    """The title bar with the page links (plain links: keyboard and screen-reader friendly)."""
    return html.Header(
        className="topbar",
        children=[
            html.A("Skip to content", href="#content", className="skip-link"),
            html.Div(
                className="brand",
                children=[
                    html.Span("EachCustomer", className="brand-name"),
                    html.Span(
                        "how attitudes toward customers form and spread", className="brand-tag"
                    ),
                ],
            ),
            html.Nav(
                className="nav",
                children=[
                    dcc.Link(
                        label,
                        href=href,
                        className="nav-link",
                        id=f"nav-{label.lower().replace(' ', '-')}",
                    )
                    for label, href in NAVIGATION
                ],
            ),
        ],
    )


# A random id per browser tab, passed to every background callback: two people running the
# same settings at once then get separate jobs, progress and results.
clientside_callback(
    """
    function(_path, session) {
        if (session) { return window.dash_clientside.no_update; }
        return (window.crypto && crypto.randomUUID) ? crypto.randomUUID()
            : String(Date.now()) + String(Math.random()).slice(2);
    }
    """,
    Output("session", "data"),
    Input("url", "pathname"),
    State("session", "data"),
)


def too_large(_error: RequestEntityTooLarge) -> tuple[dict[str, str], int]:
    """A request over the server's limit: a message, not werkzeug's bare 413 page. (The
    pages' uploads never send a file over the chart limit: the browser says so itself.)"""
    return {
        "error": f"The request is larger than the dashboard reads ({MAX_REQUEST_BYTES / 1e6:.0f}"
        f" MB); an org chart may be at most {MAX_CHART_BYTES / 1e6:.0f} MB."
    }, 413


def create_app(
    cache_dir: str | Path | None = None,
    max_jobs: int | None = None,
    host: str | None = None,
    classes: ClassRegistry | None = None,
) -> Dash:
    """Build the dashboard.

    Args:
        cache_dir: folder for the background-callback cache; a new temporary folder,
            removed at exit, when None.
        max_jobs: simulations run at once (`eachcustomer.dashboard.jobs.max_jobs_setting`: the
            environment variable EACHCUSTOMER_MAX_JOBS, else 2, when None).
        host: the address the server listens on, for the Class page's join address (the
            browser's own when None).
        classes: the class sessions the Class page and the students' page serve (a new
            `ClassRegistry` when None; `eachcustomer.dashboard.classroom.sessions.registry()`
            returns it inside a request).

    The pages declare their callbacks with `dash.callback` (Dash's global registry),
    which the first app a process serves takes over: one app per process.
    """
    if cache_dir is None:
        cache_dir = tempfile.mkdtemp(prefix="eachcustomer-dashboard-")
        atexit.register(shutil.rmtree, cache_dir, ignore_errors=True)
    cache = diskcache.Cache(str(cache_dir), size_limit=2**30)
    manager = JobManager(cache, max_jobs=max_jobs_setting(max_jobs), expire=3600)
    app = Dash(
        __name__,
        use_pages=True,
        pages_folder="",  # the pages are imported below, under their package names
        assets_folder=str(HERE / "assets"),
        background_callback_manager=manager,
        suppress_callback_exceptions=True,
        title="EachCustomer",
        update_title="",  # Dash: "" or None leaves the tab title alone
    )
    for page in PAGES:
        importlib.import_module(f"eachcustomer.dashboard.{page}.page")
    warm_up()
    serve_reports(app.server)
    serve_class(app.server, classes if classes is not None else ClassRegistry())
    app.server.config[HOST_SETTING] = host
    app.server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    app.server.register_error_handler(RequestEntityTooLarge, too_large)
    app.layout = html.Div(
        className="app",
        children=[
            dcc.Location(id="url"),
            dcc.Store(id="settings", storage_type="session", data=default_settings()),
            dcc.Store(id="presentation", storage_type="session", data=False),
            dcc.Store(id="session", storage_type="session"),
            header(),
            # Waiting for a free slot, a refusal, a run that died: told by `JobManager`.
            html.Div(id=NOTICE_ID, className="job-notice", role="status"),
            html.Main(dash.page_container, id="content", tabIndex="-1"),
        ],
    )
    guard.install(app)  # after the layouts exist: it reads their components
    return app


def warm_up() -> None:
    """Draw the Explore charts once: plotly builds its validators on first use (about half a
    second), and background jobs fork from this process, so every run starts warm.

    The simulation kernels are compiled (or loaded from numba's cache) here too, before any
    job forks, so the first click does not wait for them.
    """
    from eachcustomer.dashboard.explore.view import render
    from eachcustomer.dashboard.runs import advance
    from eachcustomer.sim.warmup import compile_kernels

    compile_kernels()

    render(
        advance(
            {**default_settings(), "overrides": {"n_employees": 40, "horizon_weeks": 2}},
            None,
            "run",
        ),
        "band",
        False,
    )
