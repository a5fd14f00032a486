"""HTML made safe for Python's html.parser in linear time, before it is parsed.

On Python 3.11 the parser scans from every unclosed construct to the end of the input ("<a<a<a...",
"<!--<!--...", "</</</..."): 7 s on 60 KB, the square of the length. A decimal character reference
longer than 4,300 digits ("&#111...;") raised ValueError from int(). None of these carry article
text, so one pass over the source, with every search moving forward, rewrites them first:

- comments go (an unclosed one runs to the end, as in a browser), and so do script and style
  elements with their content (the reader drops them anyway; inside them the parser searches for
  the closing tag again after every chunk);
- a tag is kept only when it is short (MAX_TAG characters), closed by ">" before the next "<", and
  starts like a tag ("<p", "</p", "<!DOCTYPE"); other declarations and processing instructions go;
  any other "<" is text (written "&lt;");
- a numeric character reference of more than 10 digits is text ("&amp;#...").
"""

from __future__ import annotations

import re

MAX_TAG = 2_000  # characters from "<" to ">": a longer "tag" is text
_DROP_WITH_CONTENT = ("script", "style")
_LONG_CHARREF = re.compile(r"&#(?=[0-9]{11})")


def _drop_blocks(source: str) -> str:
    """Comments, script and style elements removed. The next place of each opener is cached and
    searched again only once passed, so the whole pass reads the text a bounded number of times."""
    low = source.lower()
    pairs = [("<!--", "-->")] + [(f"<{t}", f"</{t}") for t in _DROP_WITH_CONTENT]
    ahead = {opener: -2 for opener, _ in pairs}
    out, i = [], 0
    while True:
        for opener in ahead:
            if -1 < ahead[opener] < i or ahead[opener] == -2:
                ahead[opener] = low.find(opener, i)
        found = [(at, opener, closer) for opener, closer in pairs if (at := ahead[opener]) >= 0]
        if not found:
            out.append(source[i:])
            return "".join(out)
        j, opener, closer = min(found)
        if opener != "<!--" and low[j + len(opener):j + len(opener) + 1].isalnum():
            out.append(source[i:j + 1])  # "<scripted>" is not a script element
            i = j + 1
            continue
        out.append(source[i:j])
        k = low.find(closer, j + len(opener))
        end = (k + len(closer) - 1 if opener == "<!--" else low.find(">", k)) if k >= 0 else -1
        if end < 0:
            return "".join(out)  # unclosed: the rest of the page is inside it, as in a browser
        i = end + 1


def _tag_like(source: str, j: int) -> bool:
    nxt = source[j + 1:j + 3]
    return nxt[:1].isalpha() or (nxt[:1] == "/" and nxt[1:2].isalpha()) or \
        source[j:j + 9].lower() == "<!doctype"


def defuse_html(source: str) -> str:
    """The same page, with only constructs html.parser reads in one forward pass."""
    text = _LONG_CHARREF.sub("&amp;#", _drop_blocks(source))
    out, i, n = [], 0, len(text)
    next_lt = next_gt = -2  # cached positions of the next "<" and ">" (searches only move forward)
    while i < n:
        j = text.find("<", i)
        if j < 0:
            out.append(text[i:])
            break
        out.append(text[i:j])
        if next_lt <= j:
            next_lt = text.find("<", j + 1)
        if next_gt <= j:
            next_gt = text.find(">", j + 1)
        closed = next_gt >= 0 and (next_lt < 0 or next_gt < next_lt) and next_gt - j <= MAX_TAG
        if closed and _tag_like(text, j):
            out.append(text[j:next_gt + 1])
            i = next_gt + 1
        elif closed and text[j + 1:j + 2] in ("!", "?"):
            i = next_gt + 1  # a declaration or processing instruction: no article text
        else:
            out.append("&lt;")
            i = j + 1
    return "".join(out)
