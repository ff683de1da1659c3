"""The one Markdown renderer: stored version bodies and the editor's live preview both use it.

markdown-it-py (CommonMark, tables on, raw HTML off) turns the text into HTML, then nh3 keeps only
an explicit allow-list of tags and attributes: no ``style``, no event handlers, links only to
``http``, ``https`` and ``mailto`` (plus relative ones) with ``rel="noopener noreferrer"``. The
renderer already escapes raw HTML; the sanitiser is the second, independent line of defence.
"""

from __future__ import annotations

from functools import cache

import nh3
from markdown_it import MarkdownIt

# Headings start at <h2>: the page around the body owns the <h1>.
HEADING_SHIFT = 1

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "hr",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "strong",
        "em",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "ol": {"start"},
}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer"

# Longest body the editor, the preview and the API accept.
MAX_BODY_LENGTH = 100_000


@cache
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.enable("table")
    # Images would load from third-party hosts, which the CSP blocks anyway: not supported.
    parser.disable("image")
    return parser


def _shift_headings(tokens) -> None:
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(int(token.tag[1]) + HEADING_SHIFT, 6)
            token.tag = f"h{level}"


def sanitize_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render_markdown(text: str) -> str:
    """Markdown to sanitised HTML, safe to put in a page as it is."""
    parser = _parser()
    tokens = parser.parse(text or "")
    _shift_headings(tokens)
    html = parser.renderer.render(tokens, parser.options, {})
    return sanitize_html(html)
