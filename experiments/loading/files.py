"""Files the user names: read TOML safely, check output paths before any work, write tables.

Tables go to CSV or Parquet by suffix, atomically (nothing half-written), and CSV cells that
a spreadsheet would run as a formula are neutralized (`safe_csv_frame`). Files named inside
a scenario or a spec must stay in that file's folder (`named_file`).
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
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


def write_atomically(path: Path, write: Callable[[str], object]) -> None:
    """Call `write(temporary)` on a dot-named temporary file beside `path`, then rename it.

    Readers see the old file or the whole new one, never half of it; whatever goes wrong,
    the temporary file is removed and the error raised.
    """
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)


def csv_text(frame: pd.DataFrame) -> str:
    """A table as the CSV text every table file and download of the project holds.

    Cells a spreadsheet would run as formulas neutralized (`safe_csv_frame`), no index,
    numbers as pandas writes them (integers as integers, floats to full precision), and
    -0.0 as 0.0 (the dashboard keeps tables in the browser, whose JSON has no -0.0). The one
    implementation: `write_table` writes it, and the dashboard's CSV downloads are it.
    """
    floats = [i for i, dtype in enumerate(frame.dtypes) if pd.api.types.is_float_dtype(dtype)]
    values = frame.iloc[:, floats]
    if (values.eq(0) & np.signbit(values)).any(axis=None):
        frame = frame.copy()
        frame.iloc[:, floats] = values + 0.0
    return safe_csv_frame(frame).to_csv(index=False, lineterminator="\n")


def write_table(frame: pd.DataFrame, path: Path) -> Path:
    """Write `frame` to `path` (.csv or .parquet) atomically (`write_atomically`).

    CSV is `csv_text`, in UTF-8. A failure names `path`, never the temporary file.
    """
    path = check_table_path(Path(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix.lower() == ".parquet":
            write_atomically(path, lambda temporary: frame.to_parquet(temporary, index=False))
        else:
            text = csv_text(frame)
            write_atomically(
                path,
                lambda temporary: Path(temporary).write_text(text, encoding="utf-8", newline=""),
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
