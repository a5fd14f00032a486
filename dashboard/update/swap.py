"""Write the updated layer and table so that the data folder goes from the old pair to the new
pair in one step, whatever moment the process is killed.

1. Clone the data folder into a hidden sibling, `.NAME.update-PID`, with hard links (no copying;
   every file the update writes is a new file, so the links never let it touch a served file).
2. Write the new layer and table there under temporary names, fsync them, rename them into
   place (os.replace), fsync the folders.
3. Check the clone as `python -m dashboard.check` does, and replay every new day with the app's
   own code against the fetched snapshot; if anything is wrong, delete the clone and stop.
4. Swap the clone and the data folder in one atomic system call (Linux renameat2 with
   RENAME_EXCHANGE), fsync the parent, delete the clone (now holding the old files).

Killed before 4, the folder is untouched (a stale clone is deleted by the next run); killed
after 4, it is wholly new. Either way `python -m dashboard.check` is clean and the layer and the
table agree. Where the filesystem cannot swap folders (not Linux, NFS, a mount point), step 4
replaces the two files instead, table first: each file is still whole at every moment, and a
kill between the two leaves extra table rows for days the layer does not have yet; the app
never shows them (it only shows the layer's days) and the next run drops and re-measures them.
Edits made to other files in the folder while the update runs are kept when they were written
in place (the hard links share them), but a file replaced by rename in that window is lost.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from dashboard.data.load import read_dataset
from dashboard.data.series import same_on_grid, table_frame
from dashboard.data.settlements import TABLE as SETTLEMENTS_TABLE
from dashboard.data.settlements import SettlementsError, extend_table
from dashboard.update.days import APPLIED, Plan
from dashboard.update.retry import STATE_FILE
from dashboard.update.state import Current

_AT_FDCWD, _RENAME_EXCHANGE = -100, 2
#: Errors that mean "this filesystem or system cannot swap", not "something is broken".
_NO_EXCHANGE = {errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EXDEV, errno.EBUSY, errno.EPERM}


class PublishError(Exception):
    """The written data failed its own check; nothing was switched."""


@contextlib.contextmanager
def locked(root: Path) -> Iterator[None]:
    """One update of a folder at a time (a second one fails at once instead of racing)."""
    fd = os.open(root, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishError(f"{root}: another update is running") from None
        yield
    finally:
        os.close(fd)


def publish(current: Current, plan: Plan, state: str | None = None) -> str:
    """Write the plan's days (and `state`, the re-ask file's new text) into the data folder;
    returns how the folder was switched."""
    root = current.root
    for stale in root.parent.glob(f".{root.name}.update-*"):
        shutil.rmtree(stale, ignore_errors=True)  # left by an update killed before its switch
    staging = root.parent / f".{root.name}.update-{os.getpid()}"
    shutil.copytree(root, staging, copy_function=_link)
    try:
        written = write_days(staging, current, plan)
        if state is not None:
            _write(staging / STATE_FILE, state)
            written.insert(0, STATE_FILE)  # with the table: before the layer, see the docstring
        verify(staging, plan)
        for folder, _, _ in os.walk(staging):  # the clone's own entries, durable before the swap
            _fsync_dir(Path(folder))
        how = switch(staging, root, written)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return how


def write_days(folder: Path, current: Current, plan: Plan) -> list[str]:
    """Write the accepted days into `folder` (the staging clone): the layer's new records and
    the table's new rows, in date order. The one place that writes what a day adds: a new file
    a day extends goes here. Returns the files written, in the order they switch (the layer,
    which decides the days the app shows, last)."""
    new = [_feature_json(r) for r in plan.records]
    features = current.layer["features"] + new
    lines = current.table_text.splitlines(keepends=True)
    rows = table_frame(plan.rows).to_csv(header=False, index=False, lineterminator="\n") if plan.rows else ""
    rows_list = rows.splitlines(keepends=True)
    if any(str(f["properties"]["date"]) <= current.last.isoformat() for f in new):
        # a re-asked day goes between shipped ones: sort (stable, so a day keeps its order)
        features = sorted(features, key=lambda f: str(f["properties"]["date"])[:10])
        body = sorted(lines[1:] + rows_list, key=lambda text: text.split(",", 1)[0])
    else:
        body = lines[1:] + rows_list
    layer = {**current.layer, "features": features}
    _write(folder / current.layer_file, json.dumps(layer, ensure_ascii=False, separators=(",", ":")) + "\n")
    _write(folder / current.table_file, "".join(lines[:1] + body))
    return [current.table_file, *_extend_settlements(folder, plan), current.layer_file]


def _extend_settlements(folder: Path, plan: Plan) -> list[str]:
    """The settlements table measured on the new days, as the build measures them (a re-asked
    day before the table's last one is not measured again: its changes keep the later day)."""
    if not (folder / SETTLEMENTS_TABLE).is_file():
        return []
    days = [(o.day, o.geom) for o in plan.outcomes if o.status == APPLIED and o.geom is not None]
    try:
        extend_table(folder, days)
    except SettlementsError as exc:
        raise PublishError(f"the settlements table cannot be extended: {exc}") from None
    return [SETTLEMENTS_TABLE]


def verify(folder: Path, plan: Plan) -> None:
    """The folder passes dashboard.check, and the app's replay gives every new day its snapshot."""
    ds = read_dataset(folder.resolve())
    errors = [str(p) for p in ds.problems if p.severity == "error"]
    if errors or ds.history is None:
        raise PublishError("the updated data fails its check: " + "; ".join(errors or ["no history"]))
    for day, want in plan.snapped.items():
        got = ds.history.snapshot(day)
        if got.shown != day or not same_on_grid(got.geometry, want):
            raise PublishError(f"replaying {day} does not give the fetched snapshot")
    for day, want in plan.unchanged.items():  # shipped days after a day inserted before them
        got = ds.history.snapshot(day)
        if got.shown != day or not same_on_grid(got.geometry, want):
            raise PublishError(f"inserting a day changes the replay of the shipped day {day}")


def switch(staging: Path, root: Path, files: list[str]) -> str:
    if exchange(staging, root):
        _fsync_dir(root.parent)
        return "data folder swapped in one step"
    for rel in files:  # the table first: see the module docstring
        os.replace(staging / rel, root / rel)
        _fsync_dir((root / rel).parent)
    return "files replaced one by one (this filesystem cannot swap folders)"


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically; False where the system or filesystem cannot."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in _NO_EXCHANGE:
        return False
    raise OSError(err, os.strerror(err), str(b))


def _feature_json(record: dict[str, object]) -> dict[str, object]:
    props = {k: v for k, v in record.items() if k != "geometry"}
    geom = record["geometry"]
    # An empty change is written as null, as the build writes it: "present, nothing changed".
    return {"type": "Feature", "properties": props,
            "geometry": None if geom.is_empty else geom.__geo_interface__}


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)  # replaces the hard link, never writes through it
    _fsync_dir(path.parent)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _link(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:  # a filesystem without hard links: a copy is as good, only slower
        shutil.copy2(src, dst)
