"""Every string of our code is translated into every language, and the compiled catalogues are
current. No database and no GNU gettext needed: extraction is Babel + Django's templatize,
reading the catalogues is polib (see portal/i18n.py).

To fix a failure here, refresh the catalogues (``make messages``):

    .venv/bin/python manage.py makemessages -l ru -l pl --no-obsolete \\
        --ignore=.venv --ignore=var --ignore=node_modules
    # translate the new or changed entries in locale/{ru,pl}/LC_MESSAGES/django.po
    .venv/bin/python manage.py compile_catalogues
"""

import re
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

from portal.i18n import extract_entries, translations_of

LANGUAGES = ["ru", "pl"]
LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
REFRESH_HINT = (
    "Refresh the catalogues: `manage.py makemessages -l ru -l pl --no-obsolete --ignore=.venv "
    "--ignore=var --ignore=node_modules`, translate, then `manage.py compile_catalogues`."
)


@pytest.fixture(scope="module")
def extracted():
    return extract_entries(settings.BASE_DIR)


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"


def load_po(lang: str) -> polib.POFile:
    path = po_path(lang)
    assert path.is_file(), f"{path} does not exist. {REFRESH_HINT}"
    return polib.pofile(str(path))


def nplurals(catalogue) -> int:
    match = re.search(r"nplurals\s*=\s*(\d+)", catalogue.metadata.get("Plural-Forms", ""))
    assert match, "The catalogue has no Plural-Forms header."
    return int(match[1])


def describe(key) -> str:
    context, msgid = key
    return repr(msgid) + (f" (context {context!r})" if context else "")


def sort_key(key):
    return (key[0] or "", key[1])


# --- The extractor itself -----------------------------------------------------------------------


def test_extractor_finds_strings_of_python_code_and_templates(extracted):
    assert extracted[(None, "Dashboard")] is None  # templates/base.html
    assert (None, "Welcome, %(name)s") in extracted  # blocktranslate with a variable
    assert (None, "Polish") in extracted  # gettext_lazy in portal/settings.py


def test_extractor_gives_the_msgids_makemessages_gives(tmp_path):
    """Checked against xgettext's output for the same files (whitespace included)."""
    (tmp_path / "portal" / "templates").mkdir(parents=True)
    (tmp_path / "portal" / "templates" / "sample.html").write_text(
        "{% load i18n %}\n"
        "<div>\n"
        "    <p>\n"
        "        {% blocktranslate trimmed with name=user.name %}\n"
        "          Hello {{ name }},\n"
        "          you have   new mail.\n"
        "        {% endblocktranslate %}\n"
        "  </p>\n"
        "  <span>{% blocktranslate %}\n  Untrimmed {{ x }} body\n{% endblocktranslate %}</span>\n"
        "{% blocktranslate count counter=n %}{{ counter }} item{% plural %}"
        "{{ counter }} items{% endblocktranslate %}\n"
        '{% translate "May" context "month name" %}\n'
        '{% translate "100% done" %}\n'
        '{{ value|default:_("Nothing here") }}\n',
        encoding="utf-8",
    )
    (tmp_path / "portal" / "models.py").write_text(
        "from django.utils.translation import gettext_lazy as _, npgettext_lazy, pgettext\n"
        'A = _("Simple" " concatenated")\n'
        'B = pgettext("verb", "Open")\n'
        'C = npgettext_lazy("files", "%(n)s file", "%(n)s files", "n")\n',
        encoding="utf-8",
    )
    (tmp_path / "portal" / "tests").mkdir()
    (tmp_path / "portal" / "tests" / "test_x.py").write_text('_("Not ours")\n', encoding="utf-8")

    assert extract_entries(tmp_path) == {
        (None, "Hello %(name)s, you have   new mail."): None,
        (None, "\n  Untrimmed %(x)s body\n"): None,
        (None, "%(counter)s item"): "%(counter)s items",
        ("month name", "May"): None,
        (None, "100%% done"): None,
        (None, "Nothing here"): None,
        (None, "Simple concatenated"): None,
        ("verb", "Open"): None,
        ("files", "%(n)s file"): "%(n)s files",
    }


# --- The catalogues -----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated(lang, extracted):
    catalogue = load_po(lang)
    forms = nplurals(catalogue)
    entries = {(e.msgctxt or None, e.msgid): e for e in catalogue if not e.obsolete}
    problems = []
    for key in sorted(extracted, key=sort_key):
        entry, plural = entries.get(key), extracted[key]
        if entry is None:
            problems.append(f"missing from the catalogue: {describe(key)}")
        elif entry.fuzzy:
            problems.append(f"fuzzy (check the translation, drop the flag): {describe(key)}")
        elif plural is not None:
            filled = [entry.msgstr_plural.get(i, "") for i in range(forms)]
            if entry.msgid_plural != plural:
                problems.append(f"plural changed to {plural!r}: {describe(key)}")
            elif not all(filled):
                problems.append(f"not all {forms} plural forms translated: {describe(key)}")
        elif not entry.msgstr:
            problems.append(f"not translated: {describe(key)}")
    assert not problems, (
        f"{po_path(lang).relative_to(settings.BASE_DIR)}: {len(problems)} problem(s).\n  "
        + "\n  ".join(problems)
        + f"\n{REFRESH_HINT}"
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalogue_matches_the_po_file(lang):
    catalogue = load_po(lang)
    mo_file = po_path(lang).with_suffix(".mo")
    hint = f"{mo_file.relative_to(settings.BASE_DIR)} is stale: run `manage.py compile_catalogues`."
    assert mo_file.is_file(), hint
    compiled = polib.mofile(str(mo_file))
    expected, actual = translations_of(catalogue), translations_of(compiled)
    differing = sorted(
        (key for key in expected.keys() | actual.keys() if expected.get(key) != actual.get(key)),
        key=sort_key,
    )
    assert not differing, hint + "\n  " + "\n  ".join(describe(key) for key in differing)
    assert compiled.metadata.get("Plural-Forms") == catalogue.metadata.get("Plural-Forms"), hint


# The space flag is left out on purpose: "(% of the target)" is prose, not "% o".
_NAMED = re.compile(r"%\((\w+)\)[#0+-]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa]")
_POSITIONAL = re.compile(r"%[#0+-]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa]")
_BRACES = re.compile(r"(?<!\{)\{(\w*)(?:![rsa])?(?::[^{}]*)?\}(?!\})")


def placeholders(text: str, printf: bool) -> Counter:
    """Placeholders of a message: %(name)s always, bare %s only in python-format ones, {name}."""
    text = text.replace("%%", "")
    found = Counter(f"%({name})" for name in _NAMED.findall(text))
    if printf:
        found.update(_POSITIONAL.findall(_NAMED.sub("", text)))
    found.update(f"{{{name}}}" for name in _BRACES.findall(text))
    return found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_the_placeholders(lang):
    problems = []
    for entry in load_po(lang).translated_entries():
        printf = "python-format" in entry.flags
        source = placeholders(entry.msgid, printf)
        if entry.msgid_plural:
            plural = placeholders(entry.msgid_plural, printf)
            for index, msgstr in sorted(entry.msgstr_plural.items()):
                found = placeholders(msgstr, printf)
                # A form may be used for several numbers (ru: 1, 21, 31...), so the first may
                # carry the plural's placeholders; every other form has exactly the plural's.
                ok = (source <= found <= source | plural) if index == 0 else found == plural
                if not ok:
                    problems.append(f"{entry.msgid!r} form {index}: {msgstr!r}")
        elif placeholders(entry.msgstr, printf) != source:
            problems.append(f"{entry.msgid!r}: {entry.msgstr!r}")
    assert not problems, f"{lang}: placeholders differ from the msgid:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize(
    ("lang", "dashboard", "portal_name"),
    [
        ("ru", "Главная", "Портал стандартов обслуживания"),
        ("pl", "Pulpit", "Portal standardów obsługi"),
    ],
)
def test_django_uses_the_catalogues(lang, dashboard, portal_name):
    with translation.override(lang):
        assert translation.gettext("Dashboard") == dashboard
        assert translation.gettext("Service Standards Portal") == portal_name
        assert translation.gettext("Welcome, %(name)s") % {"name": "Maria"} != "Welcome, Maria"
    with translation.override("en"):
        assert translation.gettext("Dashboard") == "Dashboard"
