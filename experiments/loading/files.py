"""Files the user names: read TOML safely, check output paths before any work, write tables.

Tables go to CSV or Parquet by suffix, atomically (nothing half-written), and CSV cells that
a spreadsheet would run as a formula are neutralized (`safe_csv_frame`). A table of numeric
columns (a run's weekly outputs) is written to CSV without pandas (`write_columns`), the
same bytes as through a DataFrame. Files named inside a scenario or a spec must stay in
that file's folder (`named_file`).
"""

from __future__ import annotations

import csv
import errno
import io
import os
import re
import secrets
import tempfile
import tomllib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pandas loads where a table is written or read: a scenario's TOML needs none
    import pandas as pd

TABLE_SUFFIXES = (".csv", ".parquet")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""A text cell starting with one of these is a formula to a spreadsheet (OWASP CSV injection)."""
PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


class OutputPathError(ValueError):
    """An output path we cannot write; the message says why."""


class DiskError(OutputPathError):
    """A write failed because the disk is full, over quota, read-only or not ours to write.

    Args:
        code: the error number (`errno.ENOSPC`, `EDQUOT`, `EROFS` or `EACCES`).
        folder: the folder being written, named in the message.
    """

    def __init__(self, code: int, folder: Path | str, file: Path | str | None = None) -> None:
        self.code, self.folder = code, Path(folder)
        full = code in (errno.ENOSPC, errno.EDQUOT)
        advice = (
            "free space and run the same command again"
            if full
            else "make the folder writable and run the same command again"
        )
        if file is not None:  # one file the user named (`eachcustomer run --out FILE`)
            message = f"{file}: cannot write it ({_DISK_PROBLEMS[code]}); {advice}"
        else:
            message = (
                f"{'no space left on' if full else 'cannot write in'} {folder} "
                f"({_DISK_PROBLEMS[code]}); what was finished is saved whole: {advice} to resume"
            )
        super().__init__(message)


_DISK_PROBLEMS = {
    errno.ENOSPC: "No space left on device",
    errno.EDQUOT: "Disk quota exceeded",
    errno.EROFS: "Read-only file system",
    errno.EACCES: "Permission denied",
}


def disk_error(problem: BaseException, folder: Path | str) -> DiskError | None:
    """`problem` as a `DiskError` naming `folder` when the disk refused a write, else None.

    A full disk or quota (ENOSPC, EDQUOT), a read-only file system (EROFS) or a folder we may
    not write (EACCES), found by the error number or, for libraries that give none (Arrow,
    SQLite), by the words of the message. A `DiskError` about a folder inside `folder` is
    said again about `folder`. What was written before stays whole (every file is written
    through `write_atomically`), so the message says to run the command again.
    """
    if isinstance(problem, DiskError):
        return DiskError(problem.code, folder)
    code = getattr(problem, "errno", None)
    if code not in _DISK_PROBLEMS:
        text = str(problem).lower()
        code = next(
            (number for number, words in _DISK_PROBLEMS.items() if words.lower() in text),
            errno.ENOSPC if "disk is full" in text or "errno 28" in text else None,
        )
    return None if code is None else DiskError(code, folder)


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
    import pandas as pd

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


def temporary_beside(path: Path, stem: str | None = None) -> str:
    """Create an empty dot-named temporary file beside `path`, with an ordinary file's mode.

    Created as `open(..., "x")` creates a file: mode 0666 less the umask (0644 under the usual
    umask 022), so colleagues sharing the folder can read what is written, as they can any
    file the user writes. `tempfile.mkstemp` gives 0600 whatever the umask, and the rename
    would keep it. O_EXCL refuses a name that exists, a symbolic link included.

    Args:
        path: the file the temporary one will become (or stands beside).
        stem: the temporary name's stem, `path.name` when None (".STEM.RANDOM.tmp").
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        temporary = path.parent / f".{stem or path.name}.{secrets.token_hex(6)}.tmp"
        try:
            os.close(os.open(temporary, flags, 0o666))
        except FileExistsError:
            continue
        return str(temporary)
    raise FileExistsError(f"{path.parent}: no free name for a temporary file beside {path.name}")


def write_atomically(path: Path, write: Callable[[str], object]) -> None:
    """Call `write(temporary)` on a dot-named temporary file beside `path`, then rename it.

    Readers see the old file or the whole new one, never half of it; whatever goes wrong,
    the temporary file is removed and the error raised (a full or read-only disk as a
    `DiskError` naming the folder). The file gets the mode any new file gets (0666 less
    the umask), not a temporary file's 0600.
    """
    try:
        temporary = temporary_beside(path)
    except OSError as problem:
        raise disk_error(problem, path.parent) or problem from None
    try:
        write(temporary)
        os.replace(temporary, path)
    except OSError as problem:
        raise disk_error(problem, path.parent) or problem from None
    finally:
        Path(temporary).unlink(missing_ok=True)


def csv_text(frame: pd.DataFrame) -> str:
    """A table as the CSV text every table file and download of the project holds.

    Cells a spreadsheet would run as formulas neutralized (`safe_csv_frame`), no index,
    numbers as pandas writes them (integers as integers, floats to full precision), and
    -0.0 as 0.0 (the dashboard keeps tables in the browser, whose JSON has no -0.0). The one
    implementation: `write_table` writes it, and the dashboard's CSV downloads are it;
    `columns_csv_text` gives the same bytes for numeric columns without pandas (tested
    byte for byte in tests/test_hardening.py).
    """
    import pandas as pd

    floats = [i for i, dtype in enumerate(frame.dtypes) if pd.api.types.is_float_dtype(dtype)]
    values = frame.iloc[:, floats]
    if (values.eq(0) & np.signbit(values)).any(axis=None):
        frame = frame.copy()
        frame.iloc[:, floats] = values + 0.0
    return safe_csv_frame(frame).to_csv(index=False, lineterminator="\n")


def columns_csv_text(columns: Mapping[str, np.ndarray]) -> str:
    """`csv_text` of the table of these named columns, byte for byte, without pandas.

    A run's weekly outputs (`eachcustomer.sim.output_columns.output_columns`) are written this
    way, so that `eachcustomer run --out FILE.csv` loads no pandas (benchmarks/RESULTS.md,
    "Start of a command"). The columns are numpy arrays of integers or floats, all of one
    length. Each is turned into text as `DataFrame.to_csv` does it (its
    `get_values_for_csv`): numpy's `astype(str)`, the shortest text that reads back as the
    same number (Python's `repr` for float64: 0.1, 1e-05, 1e+16, inf), NaN as an empty
    cell; -0.0 as 0.0 and the header's names neutralized, as `csv_text` does.

    Raises:
        TypeError: a column is neither integers nor floats (use `write_table`).
    """
    cells = []
    for name, column in columns.items():
        if column.dtype.kind == "f":
            text = (column + 0.0).astype(str)  # + 0.0 turns -0.0 into 0.0, as csv_text does
            text[np.isnan(column)] = ""
        elif column.dtype.kind in "iu":
            text = column.astype(str)
        else:
            raise TypeError(f"column {name!r} holds {column.dtype}, not numbers: use write_table")
        cells.append(text.tolist())
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")  # DataFrame.to_csv's dialect
    writer.writerow([_neutralize(name) for name in columns])
    writer.writerows(zip(*cells, strict=True))
    return buffer.getvalue()


def write_table(frame: pd.DataFrame, path: Path) -> Path:
    """Write `frame` to `path` (.csv or .parquet) atomically (`write_atomically`).

    CSV is `csv_text`, in UTF-8. A failure names `path`, never the temporary file.
    """
    if Path(path).suffix.lower() == ".parquet":
        return _write_file(path, lambda temporary: frame.to_parquet(temporary, index=False))
    return _write_file(path, _text_writer(lambda: csv_text(frame)))


def write_columns(columns: Mapping[str, np.ndarray], path: Path) -> Path:
    """Write the table of these named columns to `path` as `write_table` writes its frame.

    CSV is `columns_csv_text`, without pandas; Parquet goes through a DataFrame and
    `write_table` (pyarrow writes it).
    """
    if Path(path).suffix.lower() == ".parquet":
        import pandas as pd

        return write_table(pd.DataFrame(columns), path)
    return _write_file(path, _text_writer(lambda: columns_csv_text(columns)))


def _text_writer(text: Callable[[], str]) -> Callable[[str], object]:
    """What writes `text()` to a file, in UTF-8 with its line endings as they are."""
    return lambda temporary: Path(temporary).write_text(text(), encoding="utf-8", newline="")


def _write_file(path: Path, write: Callable[[str], object]) -> Path:
    """`write_atomically` into a checked `path`, its folder made; failures name `path`."""
    path = check_table_path(Path(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, write)
    except (OSError, DiskError) as problem:
        found = disk_error(problem, path.parent)
        if found is not None:
            raise DiskError(found.code, path.parent, file=path) from None
        reason = getattr(problem, "strerror", None) or problem
        raise OutputPathError(f"{path}: cannot write it ({reason})") from None
    return path


MAX_TOML_BYTES = 2 * 1024 * 1024
"""The largest TOML file read (scenarios, sweep specs, plan searches, plans, targets): 2 MB,
a hundred times the largest shipped one. Checked before the file is read whole."""
MAX_TOML_DEPTH = 32
"""The deepest TOML key read: its dotted parts (`a.b.c` is 3) plus the arrays and inline
tables around it. Checked on the text before parsing, because tomllib takes time and memory
that grow with the square of a key's depth (a 40 KB key 20,000 parts deep: half a minute
and gigabytes)."""
_TOML_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'  # multi-line basic string
    r"|'''(?:[^']|'(?!''))*'''"  # multi-line literal string
    r'|"(?:[^"\\\n]|\\.)*"'  # basic string
    r"|'[^'\n]*'"  # literal string
    r"|#[^\n]*"  # comment
    r"|\n|[ \t\r]+|[A-Za-z0-9_+:-]+|."
)


def read_toml(path: Path, error: type[Exception]) -> tuple[dict, str]:
    """A TOML file's data and text; unreadable, invalid or oversized files raise `error`.

    A UTF-8 byte-order mark (some Windows editors write one) is accepted. A file over
    `MAX_TOML_BYTES` is refused without being read whole.
    """
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_TOML_BYTES + 1)
        if len(data) > MAX_TOML_BYTES:
            raise error(
                f"{path}: too large for a TOML file ({_size(os.stat(path).st_size)}; at most "
                f"{_size(MAX_TOML_BYTES)})"
            )
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as problem:
        raise error(f"{path}: cannot read it ({problem})") from None
    return parse_toml(text, str(path), error), text.removeprefix("\ufeff")


def _size(count: int) -> str:
    return f"{count / 1024 / 1024:.1f} MB" if count >= 1024 * 1024 else f"{count:,} bytes"


def toml_depth(text: str) -> int:
    """How deep the keys of TOML text go: dotted parts plus enclosing arrays and inline tables.

    A lexical scan that skips strings and comments, linear in the text; the brackets of a
    table header do not count. Exact for valid TOML, an upper bound otherwise.
    """
    deepest = nesting = dots = 0
    line_start, header = True, False
    for match in _TOML_TOKEN.finditer(text):
        token = match.group()
        if token == "\n":
            line_start, dots = True, 0
            continue
        if token[0] in " \t\r":
            continue
        if token == ".":
            dots += 1
        elif token in ("[", "{"):
            if token == "[" and line_start and nesting == 0:
                header = True  # [table] or [[array of tables]]: a key, not nesting
            else:
                nesting += 1
            dots = 0
        elif token in ("]", "}"):
            if header and nesting == 0:
                header = False
            else:
                nesting = max(0, nesting - 1)
            dots = 0
        elif not (token[0] in "\"'_+:-" or token[0].isalnum()):
            dots = 0  # =, a comma, a comment: a key ends
        line_start = line_start and token == "["
        deepest = max(deepest, nesting + dots + 1)
    return deepest


def parse_toml(text: str, where: str, error: type[Exception]) -> dict:
    """TOML text as a dict; invalid, oversized or absurdly nested text raises `error`.

    A leading UTF-8 byte-order mark is dropped. Text over `MAX_TOML_BYTES`, or whose keys
    go deeper than `MAX_TOML_DEPTH`, is refused before it is parsed.
    """
    text = text.removeprefix("\ufeff")
    if len(text) > MAX_TOML_BYTES // 4 and len(text.encode("utf-8")) > MAX_TOML_BYTES:
        raise error(f"{where}: too large for a TOML file (at most {_size(MAX_TOML_BYTES)})")
    depth = toml_depth(text)
    if depth > MAX_TOML_DEPTH:
        raise error(
            f"{where}: keys nested {depth:,} levels deep (dotted parts, arrays and inline "
            f"tables together); at most {MAX_TOML_DEPTH}"
        )
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
    import pandas as pd

    path = Path(path)
    if path.suffix.lower() == ".parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path)
