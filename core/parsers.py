"""The API's JSON parser (``DEFAULT_PARSER_CLASSES``).

Its own module, importing no DRF views: DRF resolves the parser setting while it defines
``APIView``, so a module that both defines the parser and imports views would import itself.
"""

import json

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

from core import parse


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing what no endpoint can take, with a 400 instead of a 500:

    * nesting deeper than :data:`core.parse.MAX_JSON_DEPTH` (fifty thousand ``[`` make the
      decoder raise ``RecursionError``; a few hundred make validating or rendering recurse);
    * a NUL character or a lone surrogate (``"\\ud800"``, valid JSON) in any string, which no
      database stores and no UTF-8 encoder renders (an error message echoing it would fail
      too): answered as a field error of the first-level key (or item and key, for a list).
    """

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding) if stream is not None else ""
            data = json.loads(text, parse_constant=_refuse_constant)
        except RecursionError:
            raise _too_deep() from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(_("JSON parse error: %(error)s") % {"error": exc}) from None
        if parse.json_too_deep(data):
            raise _too_deep()
        errors = _unstorable(data)
        if errors:
            raise ValidationError(errors)
        return data


def _too_deep() -> ParseError:
    return ParseError(
        _("The JSON body nests too deeply (at most %(max)d levels).")
        % {"max": parse.MAX_JSON_DEPTH}
    )


def _refuse_constant(name):
    # NaN and Infinity are not JSON; Python's decoder accepts them by default.
    raise ValueError(f"{name} is not valid JSON")


def _bad_strings(value) -> bool:
    """Whether any key or string within ``value`` is not storable text."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not parse.storable(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _field_errors(data: dict) -> dict:
    errors = {}
    for key, value in data.items():
        if not parse.storable(key):
            errors.setdefault("non_field_errors", [parse.MSG_TEXT])
        elif _bad_strings(value):
            errors[key] = [parse.MSG_TEXT]
    return errors


def _unstorable(data) -> dict:
    """Field errors (by key, or by item index and key for a list body) for unstorable text."""
    if isinstance(data, dict):
        return _field_errors(data)
    if isinstance(data, list):
        errors = {}
        for index, item in enumerate(data):
            if isinstance(item, dict):
                found = _field_errors(item)
            else:
                found = {"non_field_errors": [parse.MSG_TEXT]} if _bad_strings(item) else {}
            if found:
                errors[str(index)] = found
        return errors
    if _bad_strings(data):
        return {"non_field_errors": [parse.MSG_TEXT]}
    return {}
