"""Dates in an article: absolute ones by rule, relative ones resolved against the article's date.

Rules find the dates: dateparser's search also reads "may", "march" or a bare "10" as dates, and is
slow on long text. Counted offsets ("two weeks ago") are plain calendar arithmetic here too: calling
dateparser for each of them cost about a millisecond apiece (10 s on a text of such phrases).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from .model import DateMention

MONTHS = {m: i + 1 for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"])}  # fmt: skip
_SHORT = {m[:3]: n for m, n in MONTHS.items()} | {"sept": 9}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

# Full month names take no dot, so a sentence's full stop after "10 May." stays out of the date.
_MON = r"(?P<mon>January|February|March|April|May|June|July|August|September|October|November|December|" \
       r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)"  # fmt: skip
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_MONTH_CUES = r"[Ll]ast|[Nn]ext|[Tt]his|[Ii]n|[Ss]ince|[Uu]ntil|[Bb]y|[Ff]rom|[Ee]arly|[Mm]id|[Ll]ate|[Ee]nd of|" \
              r"[Bb]efore|[Aa]fter|[Ss]tart of|[Bb]eginning of|[Mm]iddle of|[Dd]uring|[Tt]hroughout|[Oo]ver"
_NUMWORD = r"(?:\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"

# Ordered: a longer form is tried before the shorter ones it contains.
_PATTERNS: list[tuple[str, re.Pattern]] = [
    # "2025-07-08", also the date part of an ISO timestamp ("2025-07-08T09:15:00+03:00").
    ("iso", re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<day>[0-3]\d)(?:\b|(?=T\d))")),
    # Day first with dots ("14.06.2025", the European style) or slashes when the day is over 12.
    ("dotted", re.compile(r"(?<![\d.])(?P<day>[0-3]?\d)\.(?P<m>[01]?\d)\.(?P<year>(?:19|20)\d\d)(?![\d.]\d)")),
    ("slashed", re.compile(r"(?<![\d/])(?P<day>[0-3]?\d)/(?P<m>[0-3]?\d)/(?P<year>(?:19|20)\d\d)(?!\d)")),
    ("dmy", re.compile(rf"\b{_DAY}\s+{_MON},?\s+{_YEAR}\b")),
    ("mdy", re.compile(rf"\b{_MON}\s+{_DAY},?\s+{_YEAR}\b")),
    ("dm", re.compile(rf"\b{_DAY}\s+{_MON}(?!\w)")),
    ("md", re.compile(rf"\b{_MON}\s+{_DAY}\b(?!,? ?\d)")),
    ("my", re.compile(rf"\b{_MON},?\s+{_YEAR}\b")),
    ("rel_month", re.compile(rf"\b(?P<rel>{_MONTH_CUES})(?:-|\s+(?:the\s+)?){_MON}(?!\w)")),
    ("ago", re.compile(rf"\b(?P<n>{_NUMWORD})\s+(?P<unit>days?|weeks?|months?|years?)\s+ago\b", re.I)),
    ("weekday", re.compile(r"\b(?P<rel>[Oo]n|[Ll]ast|[Ss]ince|[Uu]ntil|[Bb]y|[Ll]ate|[Ee]arly|[Tt]o)\s+"
                           r"(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")),
    ("word", re.compile(r"\b(?P<w>[Yy]esterday|[Tt]oday|[Ll]ast night|[Ll]ast month|[Ll]ast year|[Tt]his year|"
                        r"[Tt]his month|[Ee]arlier this month|[Ee]arlier this year|[Nn]ext year|[Nn]ext month)\b")),
    ("year", re.compile(r"(?<![\d,.$€£])\b(?P<year>(?:19|20)\d\d)\b(?![,.]?\d)")),
]
_RELATIVE = {"rel_month", "ago", "weekday", "word", "dm", "md"}


def _month(name: str) -> int:
    low = name.lower().rstrip(".")
    return MONTHS.get(low) or _SHORT[low[:4] if low.startswith("sept") else low[:3]]


def _safe(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _month_near(base: dt.date, month: int, cue: str) -> dt.date:
    """The month a cue points to. News mostly reports the past, so "in", "since", "last" look back;
    "by", "until", "before", "next" look ahead; "end of"/"start of" take the nearest month.

    "Last August" written in November 2024 is August 2024 (in August 2025 too); "before the end of
    December" written in November is the coming December; "at the end of October", the past one.
    """
    cue = cue.lower()
    past = base.year if month < base.month or (month == base.month and cue != "last") else base.year - 1
    future = base.year if month > base.month or (month == base.month and cue != "next") else base.year + 1
    if cue in ("next", "by", "until", "before"):
        return dt.date(future, month, 1)
    if cue not in ("end of", "start of", "beginning of", "middle of"):
        return dt.date(past, month, 1)
    back = (base.month - month) % 12 or (0 if past == base.year else 12)
    ahead = (month - base.month) % 12
    return dt.date(future if ahead < back else past, month, 1)


def _absolute(kind: str, m: re.Match) -> tuple[dt.date | None, str]:
    if kind in ("iso", "dotted"):
        return _safe(int(m["year"]), int(m["m"]), int(m["day"])), "day"
    if kind == "slashed":
        day, month = int(m["day"]), int(m["m"])
        if day <= 12 and month <= 12 and day != month:
            return None, "day"  # 03/04/2025: April 3 or March 4; no guess
        return _safe(int(m["year"]), month, day) or _safe(int(m["year"]), day, month), "day"
    if kind in ("dmy", "mdy"):
        return _safe(int(m["year"]), _month(m["mon"]), int(m["day"])), "day"
    if kind == "my":
        return _safe(int(m["year"]), _month(m["mon"]), 1), "month"
    return _safe(int(m["year"]), 1, 1), "year"


_COUNT_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}  # fmt: skip


def _months_back(base: dt.date, months: int) -> dt.date | None:
    """The same day `months` calendar months earlier (the month's last day when it is shorter)."""
    total = base.year * 12 + base.month - 1 - months
    year, month = divmod(total, 12)
    if year < dt.MINYEAR:
        return None
    return dt.date(year, month + 1, min(base.day, calendar.monthrange(year, month + 1)[1]))


def _ago(m: re.Match, base: dt.date) -> tuple[dt.date | None, str]:
    raw = m["n"].lower()
    n = int(raw) if raw.isdigit() else _COUNT_WORDS[raw]
    unit = m["unit"].lower().rstrip("s")
    precision = {"day": "day", "week": "day", "month": "month", "year": "year"}[unit]
    if n > 10_000:  # "99999999 days ago" is no date
        return None, precision
    if unit in ("day", "week"):
        return base - dt.timedelta(days=n * (7 if unit == "week" else 1)), precision
    return _months_back(base, n * (12 if unit == "year" else 1)), precision


def _word(w: str, base: dt.date) -> tuple[dt.date | None, str]:
    w = w.lower()
    if w in ("yesterday", "last night"):
        return base - dt.timedelta(days=1), "day"
    if w == "today":
        return base, "day"
    if w == "last month":
        prev = base.replace(day=1) - dt.timedelta(days=1)
        return prev.replace(day=1), "month"
    if w in ("this month", "earlier this month"):
        return base.replace(day=1), "month"
    if w == "next month":
        return (base.replace(day=28) + dt.timedelta(days=4)).replace(day=1), "month"
    if w == "next year":
        return dt.date(base.year + 1, 1, 1), "year"
    year = base.year - 1 if w == "last year" else base.year
    return dt.date(year, 1, 1), "year"


def _relative(kind: str, m: re.Match, base: dt.date) -> tuple[dt.date | None, str]:
    if kind == "dm" or kind == "md":
        # A day and month without a year: the latest such day not after the article's date.
        day = _safe(base.year, _month(m["mon"]), int(m["day"]))
        if day and day > base:
            day = _safe(base.year - 1, day.month, day.day)
        return day, "day"
    if kind == "rel_month":
        return _month_near(base, _month(m["mon"]), m["rel"]), "month"
    if kind == "ago":
        return _ago(m, base)
    if kind == "weekday":
        # "on Thursday" in a Thursday article is that day; "last Thursday" is a week before.
        back = (base.weekday() - WEEKDAYS.index(m["wd"].lower())) % 7
        if back == 0 and m["rel"].lower() == "last":
            back = 7
        return base - dt.timedelta(days=back), "day"
    return _word(m["w"], base)


def _span(kind: str, m: re.Match) -> tuple[int, int]:
    # Prepositions before a month or weekday are cues, not part of the date.
    if kind in ("rel_month", "weekday") and m["rel"].lower() not in ("last", "this", "next"):
        return m.start("mon" if kind == "rel_month" else "wd"), m.end()
    return m.start(), m.end()


def find_dates(text: str, article_date: str | None) -> list[DateMention]:
    """Every date mention; relative ones only when the article's own date is known."""
    base = dt.date.fromisoformat(article_date) if article_date else None
    # One byte per character, 1 where a date already is: an overlap test costs the match's length, not
    # the number of dates found so far (a text of 30,000 dates took minutes).
    taken = bytearray(len(text) + 1)
    found: list[DateMention] = []
    for kind, pattern in _PATTERNS:
        if kind in _RELATIVE and base is None:
            continue
        for m in pattern.finditer(text):
            start, end = _span(kind, m)
            if taken.find(1, start, end) != -1:
                continue
            day, precision = _relative(kind, m, base) if kind in _RELATIVE else _absolute(kind, m)
            if day is None:
                continue
            taken[start:end] = b"\x01" * (end - start)
            found.append(DateMention(text[start:end], start, end, day.isoformat(), precision))
    return sorted(found, key=lambda d: d.start)


def first_full_date(text: str) -> str | None:
    """The first complete day-month-year date in a line of text (for datelines and metadata)."""
    hits = []
    for kind in ("iso", "dotted", "slashed", "dmy", "mdy"):
        m = dict(_PATTERNS)[kind].search(text)
        if m:
            day = _absolute(kind, m)[0]
            if day:
                hits.append((m.start(), day.isoformat()))
    return min(hits)[1] if hits else None
