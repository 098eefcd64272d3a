"""HTML → text keeps the lines a reader sees."""

from __future__ import annotations

import pytest

from spiders.htmltext import html_to_text


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<p>Hello <b>world</b></p><p>Bye</p>", "Hello world\n\nBye"),
        ("<ul>\n <li>one</li>\n <li>two</li>\n</ul>", "- one\n- two"),
        ("a<br>b<br/><br/>c", "a\nb\n\nc"),
        ("a<br><br><br><br>b", "a\n\nb"),
        ("<div>x</div><div>y</div>", "x\ny"),
        ("  spaced \n\n  out\t text ", "spaced\n\nout text"),  # plain text keeps its lines
        (
            "&lt;p&gt;Vi&amp;ecirc;c l&amp;agrave;m&lt;/p&gt;",
            "Viêc làm",
        ),  # escaped HTML with entities
        ("&lt;p&gt;Lương cao&lt;/p&gt;&lt;p&gt;x&lt;/p&gt;", "Lương cao\n\nx"),
        ("<p>keep<script>alert(1)</script> this<style>p{}</style></p>", "keep this"),
        ("<p>a<!-- note -->b</p>", "ab"),
        ("Fish &amp; chips", "Fish & chips"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_html_to_text(markup: str, expected: str) -> None:
    assert html_to_text(markup) == expected


def test_emoji_markup_keeps_the_character() -> None:
    markup = '<i class="emoji" style="background-image:url(x.png)"><b>🔥</b></i> HOT<br/>next'
    assert html_to_text(markup) == "🔥 HOT\nnext"
