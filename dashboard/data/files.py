"""Read a file the catalog names, safely: only inside the data folder, only up to a size limit,
only UTF-8 text, only JSON a parser can nest. Each refusal is a named `Problem`, never an
exception, so one bad file costs only what it feeds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dashboard.data.specs import Problem

#: Any one data file (layer, basemap part, area table). The biggest shipped file is ~3 MB;
#: 50 MB of GeoJSON is already more than a browser map can draw, and is refused unread.
MAX_FILE_BYTES = 50_000_000


def inside(root: Path, rel: str, problems: list[Problem]) -> Path | None:
    """`root / rel` if it resolves inside the data folder, else None with the problem named.
    Resolving follows symlinks, so '..', an absolute path and a symlink out are all refused:
    a catalog must not make the app read (and publish) files from elsewhere on the server."""
    try:
        base = root.resolve()
        path = (root / rel).resolve()
        ok = not Path(rel).is_absolute() and path.is_relative_to(base) and path != base
    except (OSError, ValueError, RuntimeError):  # NUL bytes, symlink loops
        ok = False
    if not ok:
        problems.append(Problem(rel, "path", "outside the data folder; not read"))
        return None
    return path


def read_text(root: Path, rel: str, problems: list[Problem]) -> str | None:
    """The file's text, or None with what is wrong named (size is checked before reading)."""
    path = inside(root, rel, problems)
    if path is None:
        return None

    def fail(message: str) -> None:
        problems.append(Problem(rel, "0", message))

    try:
        if path.is_dir():
            fail("is a folder, not a file")
            return None
        if not path.is_file():
            fail("file not found")
            return None
        if path.stat().st_size > MAX_FILE_BYTES:
            fail(f"larger than {MAX_FILE_BYTES:,} bytes; not read")
            return None
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        fail(f"not UTF-8 text ({exc.reason} at byte {exc.start})")
    except OSError as exc:
        fail(f"cannot read file ({exc.strerror or type(exc).__name__})")
    return None


def read_json(root: Path, rel: str, problems: list[Problem]) -> Any:
    """The parsed JSON document, or None with what is wrong named."""
    text = read_text(root, rel, problems)
    if text is None:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        problems.append(Problem(rel, f"{exc.lineno}:{exc.colno}",
                                f"not valid JSON ({exc.msg}); truncated or damaged file?"))
    except ValueError:  # an integer of thousands of digits (Python's int conversion limit)
        problems.append(Problem(rel, "0", "not valid JSON (a number too long to read)"))
    except RecursionError:  # arrays nested thousands deep: the parser gives up, so do we
        problems.append(Problem(rel, "0", "nested too deeply to read"))
    return None
