"""Writing tables to disk: CSV or Parquet by suffix, atomically (nothing half-written)."""

from __future__ import annotations

import os
import tempfile
import tomllib
from pathlib import Path

import pandas as pd

TABLE_SUFFIXES = (".csv", ".parquet")


class OutputPathError(ValueError):
    """An output path we cannot write; the message says why."""


def check_table_path(path: Path) -> Path:
    """Reject an output path whose suffix we cannot write, before any work is done."""
    if path.suffix.lower() not in TABLE_SUFFIXES:
        raise OutputPathError(
            f"{path}: unknown output format {path.suffix!r}; use a .csv or .parquet file name"
        )
    if path.exists() and path.is_dir():
        raise OutputPathError(f"{path}: is a folder, not a file")
    return path


def write_table(frame: pd.DataFrame, path: Path) -> Path:
    """Write `frame` to `path` (.csv or .parquet) via a temporary file and a rename."""
    path = check_table_path(Path(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        if path.suffix.lower() == ".parquet":
            frame.to_parquet(temporary, index=False)
        else:
            frame.to_csv(temporary, index=False)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def read_toml(path: Path, error: type[Exception]) -> tuple[dict, str]:
    """A TOML file's data and text; unreadable or invalid files raise `error` naming it."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as problem:
        raise error(f"{path}: cannot read it ({problem})") from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as problem:
        raise error(f"{path}: not valid TOML ({problem})") from None


def read_table(path: Path) -> pd.DataFrame:
    """Read a table written by `write_table`."""
    path = Path(path)
    if path.suffix.lower() == ".parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path)
