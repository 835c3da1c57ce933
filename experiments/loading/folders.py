"""Output folders: each command writes only into a folder it recognizes, one writer at a time.

Every command that writes a folder (a sweep, a plan search, a calibration, a sweep's report,
the evidence of a decision map, the headline's and the maps' figures) goes through
`claim_folder`, which

- refuses a folder that holds anything but this kind of output: a folder is the command's
  own when its manifest says so (`manifest.json`, or `figures.json` for a folder of
  figures), when it is empty or does not exist, or when it holds the start marker
  (`.eachcustomer-start`) that the command writes into a new folder before anything else, so
  that a start killed before its manifest was written is recognized too;
- takes the folder's lock (`.eachcustomer.lock`, created atomically, holding the process
  id, the host and the time), so that a second command on the same folder is refused at once
  with who holds it. A lock whose process is gone (killed, out of memory) on this host is
  stale and taken over; a lock held on another host is refused (remove the file if that
  machine no longer runs the command).

Both refusals are `OutputPathError`s naming the folder, which the command line turns into
an `error:` line. `check_folder_kind` is the first part alone, for a check before any work.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eachcustomer.experiments.loading.files import DiskError, OutputPathError, disk_error

MANIFEST = "manifest.json"
LOCK_FILE = ".eachcustomer.lock"
START_FILE = ".eachcustomer-start"
FIGURES_MANIFEST = "figures.json"


class FolderBusyError(OutputPathError):
    """Another command is writing the folder; the message says which process, where, since when."""


@dataclass(frozen=True)
class FolderKind:
    """What a command writes into a folder, and how it recognizes a folder of its own.

    Args:
        name: what the folder holds, in words ("a sweep's results").
        recognizes: whether a manifest's data are this kind's.
        manifest: the manifest's file name.
        legacy: recognizes a folder written before manifests said their kind.
    """

    name: str
    recognizes: Callable[[dict[str, Any]], bool]
    manifest: str = MANIFEST
    legacy: Callable[[Path], bool] = field(default=lambda folder: False)


def _kind_is(*names: str) -> Callable[[dict[str, Any]], bool]:
    return lambda data: data.get("kind") in names


SWEEP = FolderKind(
    "a sweep's results",
    lambda data: (
        data.get("kind") == "sweep"
        or ("kind" not in data and "identity" in data and "design" in data)
    ),
)
PLAN_SEARCH = FolderKind("a plan search's results", _kind_is("plan search"))
CALIBRATION = FolderKind(
    "a calibration", lambda data: data.get("kind") == "calibration" or "fit_targets" in data
)
REPORT = FolderKind(
    "a sweep's report",
    _kind_is("sweep report"),
    legacy=lambda folder: (folder / "index.html").is_file() and (folder / "runs.csv").is_file(),
)
EVIDENCE = FolderKind(
    "a decision map's evidence",
    lambda data: data.get("kind") == "evidence" or ("axes" in data and "what" in data),
)
FIGURE_NAMES = re.compile(
    r"^(headline(_summary\.csv|_verdicts\.csv|\.html|\.png)|decision_map_[a-z_]+\.png)$"
)
"""The files the headline and the evidence write into a folder of figures."""


def _earlier_figures(folder: Path) -> bool:
    """A folder of figures written before `figures.json`: only files named like ours."""
    return all(FIGURE_NAMES.match(path.name) for path in folder.iterdir() if path.name != LOCK_FILE)


FIGURES = FolderKind(
    "figures", _kind_is("figures"), manifest=FIGURES_MANIFEST, legacy=_earlier_figures
)


def _read_manifest(path: Path) -> dict[str, Any] | None:
    """A manifest's data; None when it is not a JSON object (then it is not ours)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def folder_state(folder: Path, kind: FolderKind) -> str:
    """ "new" (absent or empty), "started" (a start without its manifest yet) or "own".

    Raises:
        OutputPathError: the folder holds something else; the message names it.
    """
    folder = Path(folder)
    if not folder.exists():
        return "new"
    if not folder.is_dir():
        raise OutputPathError(f"{folder}: is a file, not a folder")
    names = {path.name for path in folder.iterdir()} - {LOCK_FILE}
    if not names:
        return "new"
    if kind.manifest in names:
        data = _read_manifest(folder / kind.manifest)
        if data is None:
            raise OutputPathError(
                f"{folder / kind.manifest}: damaged or not EachCustomer's (not a readable "
                "manifest), so the folder cannot be taken for its own: write to a new folder "
                "(or restore the manifest from a backup)"
            )
        if kind.recognizes(data):
            return "own"
    elif START_FILE in names:
        data = _read_manifest(folder / START_FILE)
        if data is not None and data.get("kind") == kind.name:
            return "started"
    elif kind.legacy(folder):
        return "own"
    shown = ", ".join(sorted(names)[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    raise OutputPathError(
        f"{folder}: holds files that are not {kind.name} ({shown}); EachCustomer writes only "
        f"into a new or empty folder or one of its own ({kind.manifest} says which): choose "
        "another folder"
    )


def check_folder_kind(folder: Path, kind: FolderKind) -> Path:
    """Refuse a folder of something else before any work (`folder_state`); nothing is written."""
    folder_state(folder, kind)
    return Path(folder)


@contextlib.contextmanager
def claim_folder(folder: str | Path, kind: FolderKind) -> Iterator[str]:
    """Hold `folder` for writing `kind` while the block runs; yield its `folder_state`.

    The folder is created if needed, locked (`folder_lock`) and checked again under the lock;
    a new one gets the start marker. Re-entrant within a process.
    """
    folder = Path(folder)
    folder_state(folder, kind)  # refuse before creating anything
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with folder_lock(folder, kind.name):
            state = folder_state(folder, kind)
            if state == "new":
                mark_started(folder, kind)
            yield state
            if (folder / kind.manifest).exists():
                mark_complete(folder)
    except (OSError, DiskError) as problem:
        # A full or read-only disk, anywhere in the work: a message naming this folder.
        raise disk_error(problem, folder) or problem from None


def mark_started(folder: str | Path, kind: FolderKind) -> None:
    """Write the start marker into a new folder, before anything else (`folder_state`)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / START_FILE).exists():
        _write_new(folder / START_FILE, json.dumps({"kind": kind.name, "created": _now()}))


def mark_complete(folder: str | Path) -> None:
    """The folder's manifest is written: the start marker is no longer needed."""
    (Path(folder) / START_FILE).unlink(missing_ok=True)


# --- the lock --------------------------------------------------------------------------------

_HELD: dict[Path, int] = {}
"""Folders this process holds, with how many nested claims hold each."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _write_new(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    """Whether a process with this id runs on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    except (OverflowError, ValueError):
        return False
    return True


def _create_lock(path: Path, text: str) -> bool:
    """Create the lock file whole, or return False if it exists (hard link: atomic)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".lock.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links: exclusive creation instead
            try:
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                return False
            with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
                stream.write(text)
        return True
    finally:
        Path(temporary).unlink(missing_ok=True)


def _holder(path: Path) -> dict[str, Any] | None:
    """The lock's holder, or None when the lock is gone."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _stale(holder: dict[str, Any], path: Path) -> bool:
    """A lock whose process is gone from this host, or an unreadable one a minute old."""
    if not holder:
        try:
            return datetime.now().timestamp() - path.stat().st_mtime > 60
        except FileNotFoundError:
            return True
    pid = holder.get("pid")
    return holder.get("host") == socket.gethostname() and isinstance(pid, int) and not _alive(pid)


def describe_holder(holder: dict[str, Any]) -> str:
    """Who holds a lock, in words."""
    if not holder:
        return "a process that left an unreadable lock"
    return (
        f"eachcustomer {holder.get('command', '?')} (process {holder.get('pid', '?')} on "
        f"{holder.get('host', '?')}, since {holder.get('since', '?')})"
    )


@contextlib.contextmanager
def folder_lock(folder: str | Path, command: str) -> Iterator[None]:
    """Hold the folder's lock while the block runs; refuse at once if another process does.

    Raises:
        FolderBusyError: another process, alive or on another host, holds the lock.
    """
    folder = Path(folder)
    key = folder.resolve()
    if key in _HELD:
        _HELD[key] += 1
        try:
            yield
        finally:
            _HELD[key] -= 1
        return
    path = folder / LOCK_FILE
    mine = {"pid": os.getpid(), "host": socket.gethostname(), "since": _now(), "command": command}
    text = json.dumps(mine)
    for _ in range(20):
        if _create_lock(path, text):
            break
        holder = _holder(path)
        if holder is None:
            continue  # released meanwhile
        if not _stale(holder, path):
            raise FolderBusyError(
                f"{folder}: in use by {describe_holder(holder)}; wait for it to finish, or "
                f"write to another folder (if no such process runs any more, remove "
                f"{path})"
            )
        # Stale: move it aside under a name of our own, so two processes that both found it
        # stale cannot both take the folder.
        aside = folder / f".lock.stale.{os.getpid()}.tmp"
        try:
            os.replace(path, aside)
        except FileNotFoundError:
            continue
        if _holder(aside) != holder:  # another process took the stale lock first: give it back
            with contextlib.suppress(OSError):
                os.link(aside, path)
        aside.unlink(missing_ok=True)
    else:
        raise FolderBusyError(f"{folder}: its lock {path} keeps changing; try again")
    _HELD[key] = 1
    try:
        yield
    finally:
        del _HELD[key]
        if _holder(path) == mine:
            path.unlink(missing_ok=True)


# --- folders of figures ----------------------------------------------------------------------


class FigureFiles:
    """The files one command writes into a folder of figures, each checked before it is written.

    A file of that name may be overwritten only if `figures.json` lists it (EachCustomer wrote
    it); what else the folder holds is left alone.
    """

    def __init__(self, folder: Path, command: str, listed: dict[str, str]) -> None:
        self.folder = folder
        self.command = command
        self.listed = listed
        self.written: list[str] = []

    def path(self, name: str) -> Path:
        """Where to write the figure file `name`.

        Raises:
            OutputPathError: a file of that name is there and was not written by EachCustomer.
        """
        path = self.folder / name
        if path.exists() and name not in self.listed:
            raise OutputPathError(
                f"{path}: exists and was not written by EachCustomer ({FIGURES_MANIFEST} does "
                "not list it); move it, or write the figures to another folder"
            )
        self.written.append(name)
        return path


@contextlib.contextmanager
def claim_figures(folder: str | Path, command: str) -> Iterator[FigureFiles]:
    """Hold a folder of figures (`claim_folder` with `FIGURES`) while a command writes into it.

    `figures.json` lists, for each file EachCustomer wrote there, the command that wrote it;
    it is brought up to date at the end, with the files the block asked for.
    """
    folder = Path(folder)
    with claim_folder(folder, FIGURES):
        manifest = _read_manifest(folder / FIGURES_MANIFEST)
        if manifest is None:  # new, or written before figures.json: its figures are ours
            listed = {p.name: "earlier" for p in folder.iterdir() if FIGURE_NAMES.match(p.name)}
        else:
            listed = dict(manifest.get("files") or {})
        files = FigureFiles(folder, command, listed)

        def record() -> None:
            listed.update({name: command for name in files.written if (folder / name).exists()})
            data = {
                "kind": "figures",
                "package": "eachcustomer",
                "files": dict(sorted(listed.items())),
            }
            _write_new(folder / FIGURES_MANIFEST, json.dumps(data, indent=2) + "\n")
            mark_complete(folder)

        try:
            yield files
        except BaseException:
            with contextlib.suppress(OSError):
                record()  # what was written is EachCustomer's, even if the rest failed
            raise
        record()
