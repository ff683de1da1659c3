"""Translation tooling in pure Python: message extraction and catalogue compilation.

GNU gettext is needed only to *update* the catalogues (``makemessages``, a developer task).
Everything that runs on a fresh machine, the tests and ``compile_catalogues``, uses these
helpers, which need only polib (compiling) and Babel (extracting, in the tests).

``extract_messages`` reproduces what ``makemessages`` feeds to xgettext: Python sources go
through Babel's Python extractor with xgettext's and Django's keywords, templates are first
turned into Python-like text by Django's own ``templatize`` (exactly as ``makemessages`` does),
so ``{% blocktranslate %}`` bodies, ``trimmed``, ``{% plural %}`` and contexts come out with the
same msgids, down to the whitespace. Two known differences, neither worth copying: an f-string
passed to gettext (a bug: xgettext extracts its unformatted text, which never matches at run
time; Babel skips it) and ``\\u``/``\\N{}`` escapes in a plain string literal (xgettext 0.21
keeps them as typed, Python decodes them; write the character itself instead).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from pathlib import Path

import polib

#: Folders of our code that hold translatable strings.
APPS = ("core", "portal", "channels_app", "standards", "sla", "training", "surveys")
#: Folders never scanned (generated code, tests, environments, runtime data).
SKIP_DIRS = frozenset({"migrations", "tests", ".venv", "var", "node_modules", "__pycache__"})
#: What makemessages treats as templates for the "django" domain.
TEMPLATE_SUFFIXES = (".html", ".txt")

#: xgettext's default Python keywords plus the ones makemessages adds, in Babel's notation:
#: ``None`` is the first argument, ``(1, 2)`` singular and plural, ``(1, "c")`` a context.
KEYWORDS = {
    # xgettext --language=Python defaults
    "_": None,
    "gettext": None,
    "ugettext": None,
    "dgettext": (2,),
    "ngettext": (1, 2),
    "ungettext": (1, 2),
    "dngettext": (2, 3),
    # added by Django's makemessages
    "gettext_noop": None,
    "gettext_lazy": None,
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext_lazy": ((1, "c"), 2, 3),
}

#: A message key as gettext sees it: (msgctxt or None, msgid).
MessageKey = tuple[str | None, str]


def _walk(root: Path) -> Iterator[Path]:
    """Files under ``root`` in a stable order, without descending into SKIP_DIRS or dot-dirs."""
    if not root.is_dir():
        return
    for path in sorted(root.iterdir()):
        if path.name.startswith("."):
            continue
        if path.is_dir():
            if path.name not in SKIP_DIRS:
                yield from _walk(path)
        elif path.is_file():
            yield path


def python_files(base_dir: Path | str) -> list[Path]:
    base = Path(base_dir)
    return [p for app in APPS for p in _walk(base / app) if p.suffix == ".py"]


def template_files(base_dir: Path | str) -> list[Path]:
    base = Path(base_dir)
    roots = [base / "templates"] + [base / app / "templates" for app in APPS]
    return [p for root in roots for p in _walk(root) if p.suffix in TEMPLATE_SUFFIXES]


def _python_source_of_template(path: Path, base: Path) -> bytes:
    from django.utils.translation.template import templatize

    text = templatize(path.read_text(encoding="utf-8"), origin=str(path.relative_to(base)))
    # templatize keeps the template's indentation, which Python's tokenizer may reject as an
    # inconsistent dedent. Every msgid is a one-line repr(), so left-stripping lines is safe.
    return "\n".join(line.lstrip(" \t") for line in text.splitlines()).encode("utf-8")


def _extract_from_source(source: bytes) -> Iterator[tuple[str | None, str, str | None]]:
    # Babel is a development dependency: compiling catalogues on a server needs only polib.
    from babel.messages.extract import extract

    for _lineno, message, _comments, context in extract(
        "python", io.BytesIO(source), keywords=KEYWORDS, options={"encoding": "utf-8"}
    ):
        if isinstance(message, tuple):
            yield context, message[0], message[1]
        else:
            yield context, message, None


def extract_entries(base_dir: Path | str) -> dict[MessageKey, str | None]:
    """Every translatable message of our code: {(msgctxt or None, msgid): msgid_plural or None}."""
    base = Path(base_dir)
    sources: list[bytes] = [path.read_bytes() for path in python_files(base)]
    sources += [_python_source_of_template(path, base) for path in template_files(base)]
    entries: dict[MessageKey, str | None] = {}
    for source in sources:
        for context, msgid, plural in _extract_from_source(source):
            if plural is not None or (context, msgid) not in entries:
                entries[(context, msgid)] = plural
    return entries


def extract_messages(base_dir: Path | str) -> set[MessageKey]:
    """Every translatable string of our code as a set of (msgctxt or None, msgid)."""
    return set(extract_entries(base_dir))


def catalogue_paths(locale_dir: Path | str, domain: str = "django") -> list[Path]:
    """``<locale_dir>/<lang>/LC_MESSAGES/<domain>.po`` for every language, sorted."""
    return sorted(Path(locale_dir).glob(f"*/LC_MESSAGES/{domain}.po"))


def compile_catalogues(locale_dir: Path | str, domain: str = "django") -> list[Path]:
    """Write ``<domain>.mo`` next to every ``<domain>.po`` under ``locale_dir`` with polib.

    Fuzzy, obsolete and untranslated entries are left out and, as msgfmt does, so is the
    header's POT-Creation-Date, which changes on every ``makemessages`` run. The output
    depends only on the translations, so compiling twice gives identical bytes; a file that
    is already up to date is not rewritten. Returns the .mo files that were written.
    """
    written = []
    for po_path in catalogue_paths(locale_dir, domain):
        catalogue = polib.pofile(str(po_path))
        catalogue.metadata.pop("POT-Creation-Date", None)
        data = catalogue.to_binary()
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.read_bytes() != data:
            mo_path.write_bytes(data)
            written.append(mo_path)
    return written


def translations_of(catalogue: Iterable[polib.POEntry | polib.MOEntry]) -> dict:
    """{(msgctxt, msgid): msgstr or tuple of plural msgstrs} for translated, non-fuzzy entries."""
    result = {}
    for entry in catalogue:
        if entry.obsolete or "fuzzy" in entry.flags or not entry.msgid:
            continue
        if entry.msgid_plural:
            forms = tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
            if forms and all(forms):
                result[(entry.msgctxt or None, entry.msgid)] = (entry.msgid_plural, forms)
        elif entry.msgstr:
            result[(entry.msgctxt or None, entry.msgid)] = entry.msgstr
    return result
