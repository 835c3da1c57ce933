"""Files the user names: read TOML safely, check output paths before any work, write tables.

Tables go to CSV or Parquet by suffix, atomically (nothing half-written), and CSV cells that
a spreadsheet would run as a formula are neutralized (`safe_csv_frame`). Files named inside
a scenario or a spec must stay in that file's folder (`named_file`).
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

TABLE_SUFFIXES = (".csv", ".parquet")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""A text cell starting with one of these is a formula to a spreadsheet (OWASP CSV injection)."""
PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


class OutputPathError(ValueError):
    """An output path we cannot write; the message says why."""


def _nearest_existing(path: Path) -> Path:
    """The path itself or its closest ancestor that exists."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path.cwd()


def _check_writable_folder(shown: Path, folder: Path) -> None:
    """Refuse `shown` (the path the user gave) unless a file can be created in `folder`."""
    if not folder.is_dir():
        raise OutputPathError(f"{shown}: cannot create it: {folder} is a file, not a folder")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as problem:
        raise OutputPathError(
            f"{shown}: cannot write in {folder} ({problem.strerror or problem})"
        ) from None


def check_table_path(path: Path) -> Path:
    """Refuse an output file we could not write (format, folder, permissions) before any work."""
    path = Path(path)
    if path.is_dir():
        raise OutputPathError(f"{path}: is a folder; give a file name ending in .csv or .parquet")
    if path.suffix.lower() not in TABLE_SUFFIXES:
        raise OutputPathError(
            f"{path}: unknown output format {path.suffix!r}; use a .csv or .parquet file name"
        )
    if path.exists() and not os.access(path, os.W_OK):
        raise OutputPathError(f"{path}: the file exists and cannot be overwritten")
    _check_writable_folder(path, _nearest_existing(path.parent))
    return path


def check_folder_path(path: Path) -> Path:
    """Refuse an output folder that is a file or cannot be created or written, before any work."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputPathError(f"{path}: is a file, not a folder")
    _check_writable_folder(path, _nearest_existing(path))
    return path


def safe_csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells and column names cannot run as spreadsheet formulas.

    Text starting with =, +, -, @, a tab or a carriage return gets a leading single quote
    (OWASP's CSV-injection rule), unless it is a plain number such as "-3.5"; numeric
    columns and non-text cells are left exactly as they are.
    """
    safe = frame.copy()
    for column in safe.columns:
        values = safe[column]
        if pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values):
            safe[column] = values.map(_neutralize)
        elif isinstance(values.dtype, pd.CategoricalDtype):
            safe[column] = values.astype(object).map(_neutralize)
    safe.columns = [_neutralize(name) for name in safe.columns]
    return safe


def _neutralize(cell: object) -> object:
    if (
        isinstance(cell, str)
        and cell.startswith(FORMULA_START)
        and not PLAIN_NUMBER.fullmatch(cell)
    ):
        return "'" + cell
    return cell


def _temporary_beside(path: Path) -> str:
    """Create an empty dot-named temporary file beside `path`, with an ordinary file's mode.

    Created as `open(..., "x")` creates a file: mode 0666 less the umask (0644 under the usual
    umask 022), so colleagues sharing the folder can read what is written, as they can any
    file the user writes. `tempfile.mkstemp` gives 0600 whatever the umask, and the rename
    would keep it. O_EXCL refuses a name that exists, a symbolic link included.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        temporary = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
        try:
            os.close(os.open(temporary, flags, 0o666))
        except FileExistsError:
            continue
        return str(temporary)
    raise FileExistsError(f"{path.parent}: no free name for a temporary file beside {path.name}")


def write_atomically(path: Path, write: Callable[[str], object]) -> None:
    """Call `write(temporary)` on a dot-named temporary file beside `path`, then rename it.

    Readers see the old file or the whole new one, never half of it; whatever goes wrong,
    the temporary file is removed and the error raised. The file gets the mode any new
    file gets (0666 less the umask), not a temporary file's 0600.
    """
    temporary = _temporary_beside(path)
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)


def write_table(frame: pd.DataFrame, path: Path) -> Path:
    """Write `frame` to `path` (.csv or .parquet) atomically (`write_atomically`).

    CSV goes through `safe_csv_frame`. A failure names `path`, never the temporary file.
    """
    path = check_table_path(Path(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix.lower() == ".parquet":
            write_atomically(path, lambda temporary: frame.to_parquet(temporary, index=False))
        else:
            write_atomically(
                path, lambda temporary: safe_csv_frame(frame).to_csv(temporary, index=False)
            )
    except OSError as problem:
        raise OutputPathError(f"{path}: cannot write it ({problem.strerror or problem})") from None
    return path


def read_toml(path: Path, error: type[Exception]) -> tuple[dict, str]:
    """A TOML file's data and text; unreadable or invalid files raise `error` naming it."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as problem:
        raise error(f"{path}: cannot read it ({problem})") from None
    return parse_toml(text, str(path), error), text


def parse_toml(text: str, where: str, error: type[Exception]) -> dict:
    """TOML text as a dict; invalid or absurdly nested text raises `error` naming `where`."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as problem:
        raise error(f"{where}: not valid TOML ({problem})") from None
    except RecursionError:
        # tomllib reads nested arrays and inline tables recursively.
        raise error(f"{where}: not valid TOML (arrays or tables nested too deeply)") from None


def named_file(
    owner: Path,
    key: str,
    name: str,
    error: type[Exception],
    also: Iterable[Path] = (),
    where: str | None = None,
) -> Path:
    """A file named at `key` inside the file `owner`, resolved relative to `owner`.

    It must exist and lie inside `owner`'s folder (subfolders are fine) or one of the
    folders `also`, so a scenario or spec cannot make the program read other files.
    Errors start with `where` (default: `owner`).
    """
    where = str(owner) if where is None else where
    base = Path(owner).resolve().parent
    target = (base / name).resolve()
    allowed = (base, *(Path(folder).resolve() for folder in also))
    if not any(target.is_relative_to(folder) for folder in allowed):
        raise error(
            f"{where}: {key}: {name!r} is outside the folder {base}; files named in "
            f"{Path(owner).name} must be in its folder or below it"
        )
    if not target.is_file():
        raise error(f"{where}: {key}: file {target} does not exist")
    return target


def named_folder(
    owner: Path | None, key: str, name: str, error: type[Exception], where: str
) -> Path:
    """A folder named at `key` inside the file `owner`, resolved relative to `owner`.

    Like `named_file`: it must lie in `owner`'s folder or below it (the current folder when
    there is no file). Whether it exists is for the caller to check.
    """
    base = (Path(owner).parent if owner is not None else Path.cwd()).resolve()
    target = (base / name).resolve()
    if not target.is_relative_to(base):
        raise error(
            f"{where}: {key}: {name!r} is outside the folder {base}; folders named in a file "
            "must be in its folder or below it"
        )
    return target


def read_table(path: Path) -> pd.DataFrame:
    """Read a table written by `write_table`."""
    path = Path(path)
    if path.suffix.lower() == ".parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path)
