"""Built-in names: what ships inside the package, and the one place a name or a path is resolved.

Every kind of file the user names has built-ins shipped as package data, named by their file
or folder name: `eachcustomer run equal_budget`, `eachcustomer sweep small`, `eachcustomer
calibrate published_targets`, `eachcustomer plan plan_finder`, `--posterior
published_units`. `resolve(kind, name_or_path)` turns a name or a path into the file (or
folder) to read, for every command, page and function that reads one; `builtins(kind)` lists
a kind's built-ins and `describe` gives each one's title.

Kinds are told apart by their tables: a sweep spec has [design], [levers] and [outcomes], a
targets file [priors], [targets] and [abc], a plan-finder spec [budget], [[objectives]] and
[search], a scenario [organization], [interventions] and [[timeline]]. `check_kind` refuses
a file whose tables belong to another kind, so `eachcustomer sweep published_targets` says
that it names a targets file rather than listing unknown keys.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any


class CatalogueError(ValueError):
    """A name that is neither a path nor a built-in of its kind; the message lists the built-ins."""


@dataclass(frozen=True)
class Kind:
    """One kind of thing the user names.

    Attributes:
        name: the kind's key (`resolve("sweep", ...)`).
        label: what one is called in messages ("sweep spec").
        plural: the heading of its built-ins ("Sweep specs").
        package: the package whose data holds the built-ins.
        folder: their folder inside that package.
        keys: the top-level keys its TOML files may have (the fields of its file model); empty
            for a kind of folder.
        use: the command that uses one, with {name} for what the user names, {out} for a
            results folder and {path} for where a built-in is.
        marker: for a kind of folder, the file that makes a folder one of them.
    """

    name: str
    label: str
    plural: str
    package: str
    folder: str
    keys: frozenset[str]
    use: str
    marker: str = ""

    @property
    def is_folder(self) -> bool:
        """Whether its built-ins are folders rather than TOML files."""
        return bool(self.marker)

    @property
    def thing(self) -> str:
        """What one is on disk, in messages ("sweep spec file", "targets file")."""
        noun = "folder" if self.is_folder else "file"
        return self.label if self.label.endswith(noun) else f"{self.label} {noun}"


SHARED_KEYS = ("title", "description")
KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "scenario",
            "scenario",
            "Scenarios",
            "eachcustomer.scenarios",
            "",
            # eachcustomer.experiments.loading.scenario_spec.ScenarioSpec
            frozenset(
                (*SHARED_KEYS, "parameters", "organization", "individuals", "interventions")
                + ("plan", "plans", "seed", "timeline", "players")
            ),
            "eachcustomer run {name}",
        ),
        Kind(
            "plan",
            "plan",
            "Plans",
            "eachcustomer.scenarios",
            "plans",
            # eachcustomer.experiments.loading.plans.PlanFile
            frozenset((*SHARED_KEYS, "interventions", "evidence")),
            "eachcustomer run SCENARIO --plan {name}",
        ),
        Kind(
            "sweep",
            "sweep spec",
            "Sweep specs",
            "eachcustomer.experiments",
            "specs",
            # eachcustomer.experiments.loading.sweep_spec.SweepFile
            frozenset(
                (*SHARED_KEYS, "scenario", "replications", "seed", "weeks", "design")
                + ("parameters", "levers", "plans", "outcomes", "posterior")
            ),
            "eachcustomer sweep {name} --out {out}",
        ),
        Kind(
            "targets",
            "targets file",
            "Calibration targets",
            "eachcustomer.experiments",
            "specs",
            # eachcustomer.experiments.calibration.targets.TargetsFile
            frozenset(
                (*SHARED_KEYS, "scenario", "seed", "parameters", "priors", "targets", "abc")
                + ("posterior",)
            ),
            "eachcustomer calibrate {name} --out {out}",
        ),
        Kind(
            "plan_finder",
            "plan-finder spec",
            "Plan-finder specs",
            "eachcustomer.experiments",
            "specs",
            # eachcustomer.experiments.planfinder.spec.PlanSearchFile
            frozenset(
                (*SHARED_KEYS, "scenario", "seed", "weeks", "replications", "posterior")
                + ("parameters", "budget", "levers", "objectives", "search")
            ),
            "eachcustomer plan {name} --out {out}",
        ),
        Kind(
            "posterior",
            "calibration folder",
            "Calibration posteriors",
            "eachcustomer.experiments",
            "specs/calibration",
            frozenset(),
            "eachcustomer run --posterior {name}",
            marker="posterior.parquet",
        ),
        Kind(
            "evidence",
            "evidence folder",
            "Shipped evidence",
            "eachcustomer.experiments",
            "specs/evidence",
            frozenset(),
            "{path}",
            marker="manifest.json",
        ),
    )
}
"""Every kind, in the order `eachcustomer list` shows them."""


def kind(name: str) -> Kind:
    """The kind called `name`."""
    try:
        return KINDS[name]
    except KeyError:
        raise CatalogueError(f"no kind {name!r}; kinds: {', '.join(KINDS)}") from None


def folder(kind_name: str) -> Path:
    """The folder of a kind's built-ins inside the installed package."""
    shipped = kind(kind_name)
    return Path(str(resources.files(shipped.package))).joinpath(*shipped.folder.split("/"))


@cache
def _shipped(kind_name: str) -> dict[str, Path]:
    shipped = kind(kind_name)
    place = folder(kind_name)
    if not place.is_dir():
        return {}
    if shipped.is_folder:
        found = (p for p in place.iterdir() if (p / shipped.marker).is_file())
        return {p.name: p for p in sorted(found)}
    sharing = [
        k for k in KINDS.values() if (k.package, k.folder) == (shipped.package, shipped.folder)
    ]
    files = {}
    for path in sorted(place.glob("*.toml")):
        fitting = [k.name for k in sharing if fits(k.name, _top_keys(path))]
        # A folder holding several kinds (experiments/specs/) files each under the first
        # that its tables fit; tests/test_catalogue.py checks that exactly one does.
        if fitting[:1] == [kind_name] or len(sharing) == 1:
            files[path.stem] = path
    return files


def builtins(kind_name: str) -> dict[str, Path]:
    """A kind's built-ins by name (file stem or folder name), in name order."""
    return dict(_shipped(kind_name))


def _top_keys(path: Path) -> set[str]:
    try:
        return set(tomllib.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return set()


def fits(kind_name: str, keys: Any) -> bool:
    """Whether a TOML file with these top-level keys may be of this kind."""
    return set(keys) <= kind(kind_name).keys


def kinds_of(data: Mapping[str, Any]) -> list[str]:
    """The kinds of TOML file whose tables `data` (a parsed file) fits, in `KINDS` order."""
    return [k.name for k in KINDS.values() if not k.is_folder and fits(k.name, data)]


def check_kind(kind_name: str, data: Mapping[str, Any], where: str, error: type[Exception]) -> None:
    """Refuse a file whose tables belong to another kind: `error` says which kind it is.

    A file that fits no kind at all is left to its loader, which names the unknown keys.
    """
    if fits(kind_name, data):
        return
    others = kinds_of(data)
    if not others:
        return
    other = KINDS[others[0]]
    foreign = sorted(set(data) - kind(kind_name).keys)
    raise error(
        f"{where}: this is a {other.label}, not a {kind(kind_name).label} (it has "
        f"{', '.join(foreign)}); use it with "
        f"`{use(other.name, where if Path(where).is_file() else None)}`"
    )


def use(kind_name: str, name: str | None) -> str:
    """The command that uses the built-in or file `name` of this kind (None: any file)."""
    if name is None:
        return kind(kind_name).use.format(name="FILE", out="FOLDER", path="FOLDER")
    path = builtins(kind_name).get(name, name)
    return kind(kind_name).use.format(name=name, out=f"results/{Path(name).stem}", path=path)


def _looks_like_path(text: str, shipped: Kind) -> bool:
    if "/" in text or "\\" in text or text in (".", ".."):
        return True
    return not shipped.is_folder and text.lower().endswith(".toml")


def resolve(
    kind_name: str, name_or_path: str | Path, error: type[Exception] = CatalogueError
) -> Path:
    """The file (or folder) a name or a path stands for: the one entry point for every kind.

    An existing file (a folder for posteriors and evidence) is itself; else a bare name is
    the built-in of that name. A name of another kind's built-in, a missing path or an
    unknown name raises `error`, saying which kind it is or listing the built-ins.

    Args:
        kind_name: one of `KINDS` ("scenario", "sweep", "targets", "plan_finder", ...).
        name_or_path: what the user named.
        error: the exception to raise, the caller's own (ScenarioError, SweepSpecError, ...).
    """
    shipped = kind(kind_name)
    text = str(name_or_path)
    path = Path(name_or_path)
    if path.is_dir() if shipped.is_folder else path.is_file():
        return path
    builtin = builtins(kind_name)
    if not _looks_like_path(text, shipped) and text in builtin:
        return builtin[text]
    known = f"built-in {shipped.plural.lower()}: {', '.join(builtin) or 'none'}"
    if path.exists():
        raise error(f"{text}: a {'file' if shipped.is_folder else 'folder'}, not a {shipped.thing}")
    if _looks_like_path(text, shipped):
        hint = (
            f"; {path.stem} is a built-in {shipped.label}, named without a path: "
            f"`{use(kind_name, path.stem)}`"
            if path.stem in builtin
            else ""
        )
        raise error(f"{text}: no such {shipped.thing}{hint}")
    for other in KINDS.values():
        if other.name != kind_name and text in builtins(other.name):
            raise error(
                f"{text}: a built-in {other.label}, not a {shipped.label}; use it with "
                f"`{use(other.name, text)}`. {known[0].upper()}{known[1:]}"
            )
    raise error(f"{text}: neither a {shipped.thing} nor a built-in one; {known}")


def builtin_name(kind_name: str, path: str | Path) -> str | None:
    """The built-in name of `path` when it is one of the kind's built-ins, else None."""
    here = Path(path).resolve()
    for name, shipped in builtins(kind_name).items():
        if shipped.resolve() == here:
            return name
    return None


def describe(kind_name: str, path: Path) -> str:
    """A built-in's one-line title: its `title`, or for a folder its manifest's or spec's."""
    shipped = kind(kind_name)
    try:
        if not shipped.is_folder:
            title = tomllib.loads(path.read_text(encoding="utf-8")).get("title", "")
        elif (path / "spec.toml").is_file():  # an evidence folder: the spec it stands for
            title = tomllib.loads((path / "spec.toml").read_text(encoding="utf-8"))["title"]
        else:
            title = json.loads((path / "manifest.json").read_text(encoding="utf-8"))["title"]
    except (OSError, ValueError, KeyError, TypeError):
        return ""
    return " ".join(str(title).split())


__all__ = [
    "KINDS",
    "CatalogueError",
    "Kind",
    "builtin_name",
    "builtins",
    "check_kind",
    "describe",
    "folder",
    "kinds_of",
    "resolve",
    "use",
]
