"""A chunk of records as contacts_bulk_create items, and each refused line's reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from channels_app.models import Channel
from core import parse
from sla import contact_fields, selectors

TIME_COLUMNS = contact_fields.TIMES
#: Cells of a choice are taken in any case ("High" is "high").
LOWERCASE_COLUMNS = tuple(contact_fields.CHOICES)

MSG_CHANNEL = _("There is no channel with the code “%(value)s”.")
MSG_AGENT = _(
    "“%(value)s” is not an active staff member or manager; only they can be a contact's agent."
)
# The import's own time messages, not core.parse's: a refused line's reasons quote the cell, read
# beside the whole file, and core.parse's never echo a value (one from JSON may hold a lone
# surrogate; a cell decoded from UTF-8 cannot, and a cell with a NUL is refused before parsing).
MSG_TIME = _("“%(value)s” is not a date and time; use e.g. 2026-01-31T09:30:00+01:00.")
MSG_NAIVE = _("“%(value)s” has no UTC offset; give it as e.g. 2026-01-31T09:30:00+01:00 or …Z.")
MSG_TIME_RANGE = _("“%(value)s” is out of range: give a time between %(min)s and %(max)s.")
MSG_REPEAT = _("The same channel and external id as line %(line)d.")
MSG_NUL = _("This cell contains a NUL character, which cannot be stored; remove it.")


def chunk_rows() -> int:
    """Rows per chunk: one transaction, one contacts_bulk_create call, one progress update."""
    return settings.CONTACT_IMPORT_CHUNK_ROWS


def _parse_time(value: str) -> tuple[datetime | None, str | None]:
    """The cell as an aware instant (:func:`core.parse.parse_instant`), or the line's message."""
    try:
        return parse.parse_instant(value), None
    except parse.OutsideValueError as exc:
        if exc.code == "naive":
            return None, str(MSG_NAIVE % {"value": value})
        if exc.code == "instant_range":
            return None, str(MSG_TIME_RANGE % {"value": value, **parse.RANGE})
        return None, str(MSG_TIME % {"value": value})


class Lookups:
    """Channels and agents by code and username, asked once per new name (bounded caches)."""

    LIMIT = 10_000

    def __init__(self, channel_ids: set[int] | None = None):
        self.channels: dict[str, Channel | None] = {}
        self.agents: dict[str, object] = {}
        self.channel_ids = channel_ids  # the import: only the channels it holds

    def resolve(self, codes: set, usernames: set) -> None:
        for cache in (self.channels, self.agents):
            if len(cache) > self.LIMIT:
                cache.clear()
        codes = codes - self.channels.keys() - {None}
        if codes:
            found = Channel.objects.with_related().filter(code__in=codes)
            if self.channel_ids is not None:
                found = found.filter(pk__in=self.channel_ids)
            found = {channel.code: channel for channel in found}
            self.channels.update({code: found.get(code) for code in codes})
        usernames = usernames - self.agents.keys() - {None}
        if usernames:
            found = {
                u.username: u for u in selectors.contact_agents().filter(username__in=usernames)
            }
            self.agents.update({name: found.get(name) for name in usernames})


@dataclass
class Chunk:
    rows: int  # data rows read
    items: list  # (line, item) of the rows that parse
    problems: dict  # line -> [(column, message)]
    cells: dict  # line -> {column: cell} of every row (for the refused ones' record)
    # Every existing channel the rows name, refused rows too: the import looks channels up
    # only among the job's, and a row refused for another reason must not gain "no channel".
    channel_ids: set = field(default_factory=set)
    # Where the next chunk starts (offset, line, bytes of the stored file read): the job's
    # progress once this chunk is recorded, whatever has been read ahead since.
    end: tuple = (0, 0, 0)
    # What reading found, apart from what a pass adds: a pass run again after a deadlock
    # (``retry_transient``) starts from it, so no reason is recorded twice.
    read_problems: dict = field(default_factory=dict)

    def start_pass(self) -> None:
        self.problems = {line: list(reasons) for line, reasons in self.read_problems.items()}


@dataclass
class Lines:
    """A chunk's lines as read, before any lookup: cells, times parsed, names to look up."""

    rows: list  # (line, values, unstorable columns, {time column: (instant, message)})
    codes: set
    usernames: set
    end: tuple


def read_lines(reader) -> Lines:
    """The next chunk's lines from ``reader`` (a ``reading.Reader``), times parsed: no database,
    so the import reads ahead in a thread while the chunk before is written."""
    rows = []
    codes, usernames = set(), set()
    size = chunk_rows()
    for line, cells in reader.records:
        values = {}
        for name, position in reader.columns.items():
            cell = cells[position].strip() if position < len(cells) else ""
            if cell:
                values[name] = cell
        # Text decoded from UTF-8 has no lone surrogate: only a NUL can be unstorable.
        unstorable = (
            {name for name, value in values.items() if not parse.storable(value)}
            if any("\x00" in value for value in values.values())
            else ()
        )
        if not unstorable:
            codes.add(values.get("channel"))
            usernames.add(values.get("agent"))
        times = {
            name: _parse_time(values[name])
            for name in TIME_COLUMNS
            if name in values and name not in unstorable
        }
        rows.append((line, values, unstorable, times))
        if len(rows) == size:
            break
    end = (reader.lines.offset, reader.lines.line, reader.raw.tell())
    return Lines(rows, codes, usernames, end)


def chunk_of(lines: Lines, lookups: Lookups) -> Chunk:
    """The lines as items (channels and agents looked up) and problems, by line."""
    lookups.resolve(lines.codes, lines.usernames)
    chunk = Chunk(rows=len(lines.rows), items=[], problems={}, cells={}, end=lines.end)
    seen: dict = {}
    for line, values, unstorable, times in lines.rows:
        chunk.cells[line] = {
            name: value for name, value in values.items() if name not in unstorable
        }
        problems = []
        item: dict = {}
        for name, value in values.items():
            if name in unstorable:
                problems.append((name, str(MSG_NUL)))
            elif name == "channel":
                item[name] = lookups.channels.get(value)
                if item[name] is None:
                    problems.append((name, str(MSG_CHANNEL % {"value": value})))
                else:
                    chunk.channel_ids.add(item[name].pk)
            elif name == "agent":
                item[name] = lookups.agents.get(value)
                if item[name] is None:
                    problems.append((name, str(MSG_AGENT % {"value": value})))
            elif name in times:
                item[name], problem = times[name]
                if problem:
                    problems.append((name, problem))
            elif name in LOWERCASE_COLUMNS:
                # "High" is "high"; a value no case makes valid is refused as written.
                lowered = value.lower()
                item[name] = lowered if lowered in contact_fields.CHOICES[name] else value
            else:
                item[name] = value
        key = (values.get("channel"), values.get("external_id"))
        if None not in key:
            if key in seen:
                problems.append(("external_id", str(MSG_REPEAT % {"line": seen[key]})))
            else:
                seen[key] = line
        if problems:
            chunk.problems[line] = problems
        else:
            chunk.items.append((line, item))
    chunk.read_problems = {line: list(reasons) for line, reasons in chunk.problems.items()}
    return chunk


def add_errors(chunk: Chunk, line: int, fields: dict) -> None:
    for name, messages in fields.items():
        chunk.problems.setdefault(line, []).extend((name, str(m)) for m in messages)
