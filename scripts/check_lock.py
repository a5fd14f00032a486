"""Fail, naming the package, when a lock is not complete: a locked distribution needs (through
its requirements, extras included) one that the lock lacks or pins at a version that does not fit.

The install runs `pip install --no-deps` from the lock, so nothing else would notice a gap.
Usage: python scripts/check_lock.py LOCK [LOCK ...]   (exit 1 and one line per gap)
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

try:
    from packaging.markers import default_environment
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
    from packaging.version import Version
except ImportError:  # packaging is in every lock; pip's copy keeps the check working before it is
    from pip._vendor.packaging.markers import default_environment
    from pip._vendor.packaging.requirements import Requirement
    from pip._vendor.packaging.utils import canonicalize_name
    from pip._vendor.packaging.version import Version

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)", re.M)


def read_lock(path: Path) -> dict[str, str]:
    """Canonical name -> pinned version of every `name==version` line of a pip lock."""
    return {canonicalize_name(m[1]): m[2] for m in PIN.finditer(path.read_text(encoding="utf-8"))}


def gaps(locked: dict[str, str], requires: Callable[[str], list[str]]) -> list[str]:
    """Every requirement a locked distribution has (with the extras others ask of it) that the
    lock does not satisfy; `requires(name)` gives a distribution's Requires-Dist lines."""
    env = default_environment()
    todo = [(name, "") for name in locked]
    seen: set[tuple[str, str]] = set()
    problems: list[str] = []
    while todo:
        name, extra = todo.pop()
        if (name, extra) in seen:
            continue
        seen.add((name, extra))
        for line in requires(name):
            req = Requirement(line)
            if req.marker is not None and not req.marker.evaluate({**env, "extra": extra}):
                continue
            if extra and req.marker is None:
                continue  # a base requirement, checked with extra ""
            dep = canonicalize_name(req.name)
            via = f"{name}[{extra}]" if extra else name
            if dep not in locked:
                problems.append(f"{via} needs {req} but the lock has no {dep}")
            elif not req.specifier.contains(locked[dep], prereleases=True):
                problems.append(f"{via} needs {req} but the lock pins {dep}=={locked[dep]}")
            else:
                todo.extend((dep, e) for e in req.extras)
    return sorted(set(problems))


def installed_requires(name: str) -> list[str]:
    try:
        return metadata.requires(name) or []
    except metadata.PackageNotFoundError:
        return []


def check(lock: Path) -> list[str]:
    locked = read_lock(lock)
    problems = []
    for name, version in sorted(locked.items()):
        try:
            have = metadata.version(name)
        except metadata.PackageNotFoundError:
            problems.append(f"{name}=={version} is locked but not installed")
            continue
        if Version(have) != Version(version):
            problems.append(f"{name}=={version} is locked but {have} is installed")
    return problems + gaps(locked, installed_requires)


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: check_lock.py LOCK [LOCK ...]", file=sys.stderr)
        return 2
    status = 0
    for arg in argv:
        for line in check(Path(arg)):
            print(f"{arg}: {line}", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
