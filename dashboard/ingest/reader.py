"""Turn an uploaded file (plain text, Markdown or HTML) into an Article: title, date, plain text.

The plain text returned here is "the article text": every offset the ingest reports indexes into it.
A .txt file's text is its content exactly (after decoding). HTML is parsed, never executed: script,
style and similar elements are dropped with their content.
"""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

from .dates import first_full_date
from .html_defuse import defuse_html
from .model import Article, IngestError

PAGE_LIMIT = 200_000  # bytes accepted from the web page upload
CLI_LIMIT = 2_000_000  # bytes accepted on the command line
FEED_CHARS = 1_024  # HTML is handed to the parser in pieces of this size

_DROP = {"script", "style", "noscript", "template", "svg", "iframe", "object", "embed", "head", "nav", "footer"}
_BLOCK = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "section", "article", "header",
          "blockquote", "figcaption", "time", "pre", "table", "ul", "ol", "hr"}  # fmt: skip
_DATE_META = {"article:published_time", "date", "pubdate", "publishdate", "dc.date", "datepublished",
              "og:published_time"}
_DATE_LINE = re.compile(r"^\s*(published|updated|posted|date|dated|first published)\b", re.I)
# A wire dateline opens the first paragraph: "KYIV, Nov 6, 2025 (Wire) - ..." (place in capitals).
_WIRE_LINE = re.compile(r"^\s*[A-ZА-ЯІЇЄҐ][A-ZА-ЯІЇЄҐ’'. -]{2,}\b(?:\s*\([^)]*\))?,")


def too_big(what: str, size: int, limit: int) -> IngestError:
    return IngestError(f"{what} is {size:,} bytes; the limit is {limit:,} bytes ({limit // 1000} KB)")


def _decode(raw: bytes, limit: int, what: str) -> str:
    if len(raw) > limit:
        raise too_big(what, len(raw), limit)
    if not raw.strip():
        raise IngestError(f"{what} is empty")
    if b"\x00" in raw:  # anywhere (a check of the first 8 KB let NULs later in the file through)
        raise IngestError(f"{what} looks binary (NUL bytes); expected plain text, Markdown or HTML")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise IngestError(f"{what} is not UTF-8 text; save it as UTF-8 plain text, Markdown or HTML") from None
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\t\n\r\f")
    if controls > 0.01 * len(text):
        raise IngestError(f"{what} looks binary (control characters); expected plain text, Markdown or HTML")
    return text


class _HtmlText(HTMLParser):
    """Collects visible text, the <title>, the first <h1> and date metadata; drops scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.in_title = False
        self.in_h1 = False
        self.title: list[str] = []  # pieces joined once at the end: += on a long title is quadratic
        self.h1: list[str] = []
        self.date: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k.lower(): (v or "") for k, v in attrs}
        meta_name = (attr.get("property") or attr.get("name") or attr.get("itemprop", "")).lower()
        if tag == "meta" and meta_name in _DATE_META:
            self.date = self.date or first_full_date(attr.get("content", ""))
        if tag == "time" and attr.get("datetime"):
            self.date = self.date or first_full_date(attr["datetime"])
        if tag == "title":
            self.in_title = True
        elif tag in _DROP:
            self.skip += 1
        if tag == "h1" and not self.h1:
            self.in_h1 = True
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        elif tag in _DROP and self.skip:
            self.skip -= 1
        if tag == "h1":
            self.in_h1 = False
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        elif not self.skip:
            self.parts.append(data)
            if self.in_h1:
                self.h1.append(data)


def _tidy(text: str) -> str:
    # Collapse the whitespace HTML and Markdown leave behind; keep paragraph breaks.
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def _from_html(source: str) -> tuple[str, str, str | None]:
    parser = _HtmlText()
    safe = defuse_html(source)
    # Fed in pieces: the parser's patterns then look at most a piece and one unfinished tag ahead.
    for k in range(0, len(safe), FEED_CHARS):
        parser.feed(safe[k:k + FEED_CHARS])
    parser.close()
    text = _tidy("".join(parser.parts))
    title = " ".join("".join(parser.h1 or parser.title).split())
    return text, title, parser.date


# Link and image text stops at a bracket or a line's end: "[^\]]*" ran from every "[" of a run of
# brackets to the end of the text (quadratic on "[[[[..." or "![![![...").
_IMAGE = re.compile(r"!\[[^\[\]\n]*\]\([^()\n]*\)")
_LINK = re.compile(r"\[([^\[\]\n]+)\]\([^()\n]*\)")
_FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.S)


def _from_markdown(source: str) -> tuple[str, str, str | None]:
    title, date = "", None
    front = _FRONT.match(source)
    if front:
        for line in front.group(1).splitlines():
            key, _, value = line.partition(":")
            if key.strip().lower() == "title":
                title = value.strip().strip("\"'")
            elif key.strip().lower() == "date":
                date = first_full_date(value)
        source = source[front.end():]
    text = _IMAGE.sub("", source)  # images
    text = _LINK.sub(r"\1", text)  # links keep their words
    text = re.sub(r"^\s{0,3}(#{1,6}|>+)\s*", "", text, flags=re.M)  # headings, quotes
    text = re.sub(r"(\*\*|__|\*|`)", "", text)  # emphasis and code marks
    if not title:
        heading = re.search(r"^\s{0,3}#\s+(.+)$", source, re.M)
        title = heading.group(1).strip() if heading else ""
    return _tidy(text), title, date


def _looks_html(filename: str, text: str) -> bool:
    if filename.lower().endswith((".html", ".htm", ".xhtml")):
        return True
    head = text.lstrip()[:200].lower()
    return head.startswith(("<!doctype html", "<html")) or ("<body" in text.lower() and "</p>" in text.lower())


def _dateline(text: str) -> str | None:
    """The article's own date: a "Published ..." line or a date alone near the top."""
    lines = [ln for ln in text.splitlines() if ln.strip()][:8]
    for line in lines:
        head = line[:60] if _WIRE_LINE.match(line) else line
        if _DATE_LINE.match(line) or len(head) < 60 or head is not line:
            found = first_full_date(head)
            if found:
                return found
    return None


def other_script(text: str) -> str | None:
    """The script most letters are in, when it is not Latin (the gazetteer's keys are Latin)."""
    letters = [c for c in text[:20_000] if c.isalpha()]
    scripts: dict[str, int] = {}
    for c in letters:
        name = unicodedata.name(c, "UNKNOWN").split(" ")[0]
        scripts[name] = scripts.get(name, 0) + 1
    if not letters or scripts.get("LATIN", 0) >= 0.5 * len(letters):
        return None
    return max(scripts, key=scripts.__getitem__).title()


def read_article(raw: bytes | str, filename: str = "article.txt", limit: int = PAGE_LIMIT) -> Article:
    """Read an uploaded file (bytes) or pasted text (str); IngestError with a one-line reason on bad input.

    Messages call a str "pasted text" and bytes "file" (standard input is read as a file).
    """
    what = "file"
    if isinstance(raw, str):
        what = "pasted text"
        try:
            raw = raw.encode("utf-8")
        except UnicodeEncodeError:
            raise IngestError("pasted text is not valid Unicode (a lone surrogate); paste it again") from None
    source = _decode(raw, limit, what)
    if _looks_html(filename, source):
        text, title, date = _from_html(source)
    elif filename.lower().endswith((".md", ".markdown")):
        text, title, date = _from_markdown(source)
    else:
        text, title, date = source, "", None
    if not text.strip():
        raise IngestError(f"{what} has no readable text")
    if not title:
        title = next(line.strip() for line in text.splitlines() if line.strip())
    return Article(title=title[:300], date=date or _dateline(text), text=text)
