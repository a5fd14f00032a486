"""Read a TOML document entry by entry, recording problems instead of raising: a broken
entry or block costs only itself and is named by line."""

from __future__ import annotations

import re
import tomllib
from datetime import date
from typing import Any

from dashboard.data.specs import Problem, StyleRule

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,40}$")
#: Only the YYYY-MM-DD form: `date.fromisoformat` also takes 20240708 or 2024-W28-1, which the
#: URL, the slider and every comparison of dates as text would not.
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Reader:
    """Reads one table of the catalog, recording problems instead of raising."""

    def __init__(self, file: str, where: str, table: Any, problems: list[Problem]) -> None:
        self.file, self.where, self.problems = file, where, problems
        self.table = table if isinstance(table, dict) else {}
        self.ok = isinstance(table, dict)
        if not self.ok:
            self.fail(f"expected a table, got {type(table).__name__}")

    def fail(self, message: str) -> None:
        self.problems.append(Problem(self.file, self.where, message))
        self.ok = False

    def text(self, key: str, default: str | None = None) -> str:
        value = self.table.get(key, default)
        if value is None:
            self.fail(f"missing required key '{key}'")
            return ""
        if not isinstance(value, str):
            self.fail(f"'{key}' must be text, got {type(value).__name__}")
            return ""
        return value

    def day(self, key: str) -> date | None:
        raw = self.text(key)
        try:
            if _DAY.fullmatch(raw):
                return date.fromisoformat(raw)
        except ValueError:
            pass
        if raw:
            self.fail(f"'{key}' is not a YYYY-MM-DD date: {raw[:40]!r}")
        return None

    def choice(self, key: str, allowed: tuple[str, ...], default: str | None = None) -> str:
        value = self.text(key, default)
        if value and value not in allowed:
            self.fail(f"'{key}' must be one of {', '.join(allowed)}; got {value!r}")
        return value

    def ident(self, key: str = "id") -> str:
        value = self.text(key)
        if value and not _ID.fullmatch(value):
            self.fail(f"'{key}' must be lower-case letters, digits and dashes; got {value!r}")
        return value

    def style_rule(self) -> StyleRule | None:
        rule = self.table.get("style_by")
        if rule is None:
            return None
        if not isinstance(rule, dict) or not isinstance(rule.get("values"), dict):
            self.fail("'style_by' needs 'property' and a 'values' table")
            return None
        return StyleRule(str(rule.get("property", "")), {str(k): str(v) for k, v in rule["values"].items()})


def line_of(text: str, marker: str, index: int) -> int:
    """Line number of the index-th occurrence of `[[marker]]`, to point people at an entry."""
    lines = [n for n, line in enumerate(text.splitlines(), 1) if line.strip() == f"[[{marker}]]"]
    return lines[index] if index < len(lines) else 0


def salvage(text: str, name: str, problems: list[Problem]) -> dict[str, Any]:
    """Parse a broken catalog block by block ([table] / [[array]] headers), keeping every block
    that parses and naming the line of each one that does not."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if re.match(r"^\s*\[", line)] or [0]
    if starts[0] != 0:
        starts.insert(0, 0)
    raw: dict[str, Any] = {}
    for begin, end in zip(starts, [*starts[1:], len(lines)], strict=True):
        block = "\n".join(lines[begin:end])
        try:
            part = tomllib.loads(block)
        except tomllib.TOMLDecodeError as exc:
            line = begin + (getattr(exc, "lineno", None) or _parse_line(str(exc)) or 1)
            problems.append(Problem(name, str(line), f"not valid TOML, this block skipped: {exc}"))
            continue
        except (RecursionError, ValueError):  # a decode error is a ValueError too: caught just above
            problems.append(Problem(name, str(begin + 1), "nested too deeply or a number too long; block skipped"))
            continue
        _merge(raw, part)
    return raw


def _merge(into: dict[str, Any], part: dict[str, Any]) -> None:
    for key, value in part.items():
        if isinstance(value, list) and isinstance(into.get(key), list):
            into[key].extend(value)
        elif isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def _parse_line(message: str) -> int:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else 0


def entries(raw: dict[str, Any], key: str, name: str, problems: list[Problem]) -> list[Any]:
    value = raw.get(key, [])
    if not isinstance(value, list):
        problems.append(Problem(name, key, f"'{key}' must be an array of tables ([[{key}]])"))
        return []
    return value
