"""The ingest does work in proportion to the text, whatever the text (issue #21, finding 7).

No clock: the work is counted. `Work` counts every Python and built-in function call made while an
article is read and ingested (sys.setprofile), plus every character handed to a regular expression
of the ingest, of html.parser, and of spaCy's tokenizer hooks. A text ten times longer must cost
less than twenty times the work. CPython's regex engine reports no steps, so backtracking inside one
call is invisible to the count: for the patterns that can backtrack over a run (the region lists,
the tokenizer's affixes, html.parser's tags) the test also asserts that no call sees more than a
bounded window of the text, which bounds that work per window.
"""

from __future__ import annotations

import html.parser
import random
import re
import sys
from collections import defaultdict
from types import ModuleType

import pytest

from dashboard.data.gazetteer import load_gazetteer
from dashboard.ingest import dates, figures, ingest, mentions, places, read_article, reader
from dashboard.ingest.reader import CLI_LIMIT

SMALL = 1_500  # characters; the large input is ten times this
# Widest windows allowed (written out here, so the test runs, and fails, on code without them):
TOKEN_RUN = 64  # a whitespace-free run spaCy's affix rules may search (mentions.MAX_TOKEN)
HTML_WINDOW = 1_024 + 2_000 + 64  # a piece fed to html.parser, one unfinished tag, a little slack
LIST_WINDOW = 1_200  # characters either side of "regions" a region list is read in (2 x places.LIST_WINDOW)
MODULES = [dates, figures, mentions, places, reader, html.parser]


def _names(size: int) -> str:
    """Distinct gazetteer names, comma-separated: every name a new group with its own namesakes."""
    out: list[str] = []
    for entry in load_gazetteer().entries:
        out.append(entry.name)
        if sum(map(len, out)) + 2 * len(out) > size:
            break
    return ", ".join(out)


def _punctuation(size: int) -> str:
    """Runs of mixed punctuation (60 characters), every one different, so no cache helps."""
    rnd = random.Random(7)
    marks = "[](){}'\"-.,;:!?*&^%$#@~`<>/\\|"
    runs = []
    while sum(map(len, runs)) < size:
        runs.append("".join(rnd.choice(marks) for _ in range(60)))
    return " ".join(runs)


def _times(unit: str, size: int) -> str:
    return unit * max(1, size // len(unit))


# name -> (file name, text of about `size` characters)
HOSTILE = {
    "one letter": lambda n: ("a.txt", "x " + "a" * n),
    "one capital letter": lambda n: ("a.txt", "x " + "A" * n),
    "open brackets": lambda n: ("a.txt", "x " + "[" * n),
    "nested brackets": lambda n: ("a.txt", "x " + "(" * (n // 2) + ")" * (n // 2)),
    "apostrophes": lambda n: ("a.txt", "x " + "'" * n),
    "hyphenated capitals": lambda n: ("a.txt", "x " + _times("A-", n)),
    "Kursk, repeated": lambda n: ("a.txt", _times("Kursk, ", n)),
    "Kursk and repeated": lambda n: ("a.txt", _times("Kursk and ", n)),
    "region lists": lambda n: ("a.txt", _times("Bryansk, Kursk and Belgorod regions. ", n)),
    "distinct place names": lambda n: ("a.txt", _names(n)),
    "long number": lambda n: ("a.txt", "x " + "7" * n),
    "1,000,000, runs": lambda n: ("a.txt", _times("1,000,000,", n)),
    "bare numbers": lambda n: ("a.txt", _times("1 ", n)),
    "figures": lambda n: ("a.txt", _times("about 5,000 troops ", n)),
    "dates": lambda n: ("a.txt", "Published 12 November 2024\n" + _times("1 May ", n)),
    "days ago": lambda n: ("a.txt", "Published 12 November 2024\n" + _times("two days ago ", n)),
    "endless whitespace": lambda n: ("a.txt", "x" + " \t" * (n // 2) + "Kursk"),
    "blank lines": lambda n: ("a.txt", "x" + "\n" * n + "Kursk"),
    "Cyrillic run": lambda n: ("a.txt", "x " + "Курськ" * (n // 6)),
    "huge single token": lambda n: ("a.txt", "x " + "Kursk" * (n // 5)),
    "mixed punctuation": lambda n: ("a.txt", _punctuation(n)),
    "mixed": lambda n: ("a.txt", _times("Kursk, [[[[ 1,000,000, Aaaa-Bbbb near Sudzha 12 May 2024 ((( ", n)),
    "HTML deep nesting": lambda n: ("a.html", "<html><body>" + "<div><b>" * (n // 8) + "Kursk"),
    "HTML unclosed tags": lambda n: ("a.html", "<html><body><p>x</p>" + "<a" * (n // 2)),
    "HTML unclosed comments": lambda n: ("a.html", "<html><body><p>x</p>" + "<!--" * (n // 4)),
    "HTML end tags": lambda n: ("a.html", "<html><body><p>x</p>" + "</" * (n // 2)),
    "HTML declarations": lambda n: ("a.html", "<html><body><p>x</p>" + "<!" * (n // 2)),
    "HTML ampersands": lambda n: ("a.html", "<html><body><p>x " + "&" * n + "</p>"),
    "HTML title pieces": lambda n: ("a.html", "<html><head><title>" + "<b>x</b>" * (n // 8) + "</title></head>"
                                              "<body><p>Kursk</p></body></html>"),
    "Markdown images": lambda n: ("a.md", "x " + "![" * (n // 2)),
    "Markdown links": lambda n: ("a.md", "x " + "[a](" * (n // 4)),
}


class _Counted:
    """A compiled pattern that adds the length of the text window of each call to a tally."""

    def __init__(self, pattern: re.Pattern, name: str, work: Work) -> None:
        self._p, self._name, self._work = pattern, name, work

    def _window(self, string: str, pos: int = 0, endpos: int | None = None) -> None:
        end = len(string) if endpos is None else min(endpos, len(string))
        self._work.saw(self._name, max(0, end - pos))

    def __getattr__(self, attr: str):
        return getattr(self._p, attr)

    def match(self, string, pos=0, endpos=sys.maxsize):
        self._window(string, pos, endpos)
        return self._p.match(string, pos, endpos)

    def search(self, string, pos=0, endpos=sys.maxsize):
        self._window(string, pos, endpos)
        return self._p.search(string, pos, endpos)

    def fullmatch(self, string, pos=0, endpos=sys.maxsize):
        self._window(string, pos, endpos)
        return self._p.fullmatch(string, pos, endpos)

    def finditer(self, string, pos=0, endpos=sys.maxsize):
        self._window(string, pos, endpos)
        return self._p.finditer(string, pos, endpos)

    def findall(self, string, pos=0, endpos=sys.maxsize):
        self._window(string, pos, endpos)
        return self._p.findall(string, pos, endpos)

    def sub(self, repl, string, count=0):
        self._window(string)
        return self._p.sub(repl, string, count)

    def split(self, string, maxsplit=0):
        self._window(string)
        return self._p.split(string, maxsplit)


class Work:
    """Calls made and characters handed to regular expressions while it is active."""

    def __init__(self) -> None:
        self.calls = 0
        self.chars = 0
        self.widest: dict[str, int] = defaultdict(int)

    def saw(self, name: str, chars: int) -> None:
        self.chars += chars
        self.widest[name] = max(self.widest[name], chars)

    @property
    def total(self) -> int:
        return self.calls + self.chars

    def _profile(self, _frame, event: str, _arg) -> None:
        if event in ("call", "c_call"):
            self.calls += 1


def _patterns(module: ModuleType):
    """(attribute, index or None, pattern) for each compiled pattern a module holds, alone or in a list."""
    for attr, value in vars(module).items():
        if isinstance(value, re.Pattern):
            yield attr, None, value
        elif isinstance(value, list | tuple):
            for i, item in enumerate(value):
                if isinstance(item, re.Pattern):
                    yield attr, i, item
                elif isinstance(item, tuple):
                    for k, sub in enumerate(item):
                        if isinstance(sub, re.Pattern):
                            yield attr, (i, k), sub


def _count_patterns(monkeypatch, work: Work) -> None:
    for module in MODULES:
        for attr, index, pattern in list(_patterns(module)):
            name = f"{module.__name__}.{attr}"
            proxy = _Counted(pattern, name, work)
            if index is None:
                monkeypatch.setattr(module, attr, proxy)
                continue
            seq = list(getattr(module, attr))
            if isinstance(index, tuple):
                row = list(seq[index[0]])
                row[index[1]] = proxy
                seq[index[0]] = tuple(row)
            else:
                seq[index] = proxy
            monkeypatch.setattr(module, attr, seq if isinstance(getattr(module, attr), list) else tuple(seq))
    tokenizer = mentions._nlp().tokenizer
    for hook in ("prefix_search", "suffix_search", "infix_finditer"):
        original = getattr(tokenizer, hook)

        def counted(string, _original=original, _name=f"tokenizer.{hook}"):
            work.saw(_name, len(string))
            return _original(string)

        monkeypatch.setattr(tokenizer, hook, counted)


def measure(monkeypatch, filename: str, text: str) -> Work:
    work = Work()
    with monkeypatch.context() as patch:
        _count_patterns(patch, work)
        sys.setprofile(work._profile)
        try:
            ingest(read_article(text, filename, limit=CLI_LIMIT))
        finally:
            sys.setprofile(None)
    return work


@pytest.fixture(scope="module", autouse=True)
def warm() -> None:
    ingest(read_article("Warm up near Kursk on 1 May 2024.", "a.txt"))  # imports and caches out of the count


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_ten_times_the_text_costs_less_than_twenty_times_the_work(monkeypatch, case):
    small = measure(monkeypatch, *HOSTILE[case](SMALL))
    large = measure(monkeypatch, *HOSTILE[case](10 * SMALL))
    ratio = large.total / max(1, small.total)
    assert ratio < 20, (f"{case}: {small.total:,} -> {large.total:,} operations ({ratio:.1f}x) for 10x the text "
                        f"(calls {small.calls:,} -> {large.calls:,}, regex characters {small.chars:,} -> "
                        f"{large.chars:,})")
    # Patterns that can backtrack over a run see only bounded windows, however long the text.
    for name, widest in large.widest.items():
        if name.startswith("tokenizer."):
            assert widest <= TOKEN_RUN, f"{case}: the tokenizer searched a {widest:,}-character run"
        elif name.startswith("html.parser."):
            assert widest <= HTML_WINDOW, f"{case}: html.parser scanned {widest:,} characters at once"
        elif name.startswith("dashboard.ingest.places.") and not name.endswith("_PLURAL"):
            assert widest <= LIST_WINDOW, f"{case}: {name} searched {widest:,} characters at once"
