"""`python -m dashboard.ingest ARTICLE [--json]`: draft places, figures and dates from an article.

ARTICLE is a plain text, Markdown or HTML file, or "-" for standard input. Bad input exits with
status 2 and one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import CLI_LIMIT, IngestError, ingest, read_article
from .model import Draft
from .reader import too_big


def _read(path: str) -> tuple[bytes, str]:
    """The bytes of ARTICLE; a file's size is checked before reading, standard input while reading."""
    if path == "-":
        raw = sys.stdin.buffer.read(CLI_LIMIT + 1)
        if len(raw) > CLI_LIMIT:
            raise IngestError(f"standard input is more than {CLI_LIMIT:,} bytes; the limit is {CLI_LIMIT:,} bytes "
                              f"({CLI_LIMIT // 1000} KB)")  # fmt: skip
        return raw, "stdin.txt"
    file = Path(path)
    if file.is_dir():
        raise IngestError(f"{path} is a folder; give an article file (plain text, Markdown or HTML)")
    if not file.exists():
        raise IngestError(f"no such file: {path}")
    if not file.is_file():
        raise IngestError(f"{path} is not a regular file; give an article file or '-' for standard input")
    size = file.stat().st_size
    if size > CLI_LIMIT:
        raise too_big(f"{path}", size, CLI_LIMIT)
    with file.open("rb") as fh:
        return fh.read(CLI_LIMIT + 1), file.name


def _report(draft: Draft) -> str:
    a = draft.article
    lines = [f"Title: {a.title}", f"Date:  {a.date or 'unknown'}", "", f"Places ({len(draft.places)}):"]
    for p in draft.places:
        where = f"{p.lat:.4f}, {p.lon:.4f}" if p.lat is not None else f"unresolved ({p.candidates} candidates)"
        lines.append(f"  {p.start:>6}  {p.text:<28} {p.kind:<10} {where}  conf {p.confidence:.2f}  {p.name}")
    lines += ["", f"Figures ({len(draft.figures)}):"]
    lines += [f"  {f.start:>6}  {f.value:>14,.0f} {f.unit:<6} {f.counts:<20} {f.text!r}" for f in draft.figures]
    lines += ["", f"Dates ({len(draft.dates)}):"]
    lines += [f"  {d.start:>6}  {d.date} ({d.precision:<5}) {d.text!r}" for d in draft.dates]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.ingest", description=__doc__.splitlines()[0])
    parser.add_argument("article", help="plain text, Markdown or HTML file; '-' reads standard input")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a report")
    args = parser.parse_args(argv)
    try:
        raw, name = _read(args.article)
        draft = ingest(read_article(raw, name, limit=CLI_LIMIT))
    except (IngestError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(draft.to_json() if args.json else _report(draft))
    return 0


if __name__ == "__main__":
    sys.exit(main())
