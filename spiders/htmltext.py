"""HTML → plain text that keeps the line structure a reader sees.

``<br>`` becomes a newline, block elements (``p``, ``div``, ``li``, headings…) start new
lines, list items get a ``- `` bullet, runs of HTML whitespace collapse to one space and
``script``/``style`` are dropped. Offsets in later stages index this text, so the output is
stable for the same input.
"""

from __future__ import annotations

import html
import re

import lxml.html
from lxml.etree import ParserError

_WS = re.compile(r"[ \t\n\r\f]+")
_BLANKS = re.compile(r"\n{3,}")
_SKIP = frozenset({"script", "style", "noscript", "template", "head"})
_PARAGRAPH = frozenset(
    {
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "table",
        "ul",
        "ol",
        "dl",
        "section",
        "article",
        "header",
        "footer",
    }
)
_LINE = frozenset({"div", "li", "tr", "dt", "dd", "figcaption", "address", "hr"})
_TAG = re.compile(r"<[a-zA-Z][^>]*>|</[a-zA-Z][^>]*>|<br\s*/?>", re.IGNORECASE)


#: Tokens: text, a block break (1 = new line, 2 = blank line; adjacent breaks merge to the
#: larger) or ``_BR`` (an explicit line break, which never merges).
_BR = -1
_Token = str | int


def _walk(el: lxml.html.HtmlElement, out: list[_Token]) -> None:
    tag = el.tag if isinstance(el.tag, str) else None  # comments/PIs have a callable tag
    if tag is None:
        if el.tail:
            out.append(_WS.sub(" ", el.tail))
        return
    tag = tag.lower()
    if tag in _SKIP:
        if el.tail:
            out.append(_WS.sub(" ", el.tail))
        return
    if tag == "br":
        out.append(_BR)
    elif tag in _PARAGRAPH:
        out.append(2)
    elif tag in _LINE:
        out.append(1)
    if tag == "li":
        out.append("- ")
    if el.text:
        out.append(_WS.sub(" ", el.text))
    for child in el:
        _walk(child, out)
    if tag in _PARAGRAPH:
        out.append(2)
    elif tag in _LINE:
        out.append(1)
    if el.tail:
        out.append(_WS.sub(" ", el.tail))


def _join(tokens: list[_Token]) -> str:
    parts: list[str] = []
    pending = 0
    for tok in tokens:
        if isinstance(tok, int):
            if tok == _BR:
                parts.append("\n" * pending + "\n")
                pending = 0
            else:
                pending = max(pending, tok)
        elif pending and not tok.strip():
            continue
        else:
            parts.append("\n" * pending + tok)
            pending = 0
    return "".join(parts)


def _tidy(raw: str) -> str:
    lines = [line.strip(" \t") for line in raw.split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip("\n")


def element_text(el: lxml.html.HtmlElement) -> str:
    """Text of an element's content (its own tag and tail are not treated as a block)."""
    out: list[_Token] = []
    if el.text:
        out.append(_WS.sub(" ", el.text))
    for child in el:
        _walk(child, out)
    return _tidy(_join(out))


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment, or of plain text with its own line breaks.

    Job boards put HTML, HTML-escaped HTML (``&lt;p&gt;``) or plain text in JSON-LD
    ``description``; all three come out as text with line breaks.
    """
    if not markup or not markup.strip():
        return ""
    if not _TAG.search(markup) and _TAG.search(html.unescape(markup)):
        markup = html.unescape(markup)  # HTML escaped once more than it should be
    if not _TAG.search(markup):
        text = html.unescape(markup).replace("\r\n", "\n").replace("\r", "\n")
        return _tidy("\n".join(re.sub(r"[ \t\f]+", " ", line) for line in text.split("\n")))
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except ParserError:
        return ""
    return element_text(root)
