"""Line diff between two versions: the Markdown text, the criteria and the situations.

Pure Python (difflib); templates escape the text and mark rows and words with <ins>/<del>.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

_WORDS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Segment:
    text: str
    kind: str  # "equal", "insert" or "delete"


@dataclass
class DiffRow:
    kind: str  # "equal", "insert", "delete"
    old_number: int | None
    new_number: int | None
    segments: list[Segment] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments)


def _words(text: str) -> list[str]:
    return _WORDS.findall(text)


def _coalesce(segments: list[Segment]) -> list[Segment]:
    """Join a change split only by spaces ("3", " ", "rings") into one mark ("3 rings")."""
    bridged: list[Segment] = []
    for i, segment in enumerate(segments):
        kind = segment.kind
        if (
            kind == "equal"
            and not segment.text.strip()
            and 0 < i < len(segments) - 1
            and segments[i - 1].kind == segments[i + 1].kind != "equal"
        ):
            kind = segments[i - 1].kind
        bridged.append(Segment(segment.text, kind))
    merged: list[Segment] = []
    for segment in bridged:
        if merged and merged[-1].kind == segment.kind:
            merged[-1] = Segment(merged[-1].text + segment.text, segment.kind)
        else:
            merged.append(segment)
    return merged


def _word_segments(old: str, new: str) -> tuple[list[Segment], list[Segment]]:
    """Words of a changed line, marked where they differ (used for replaced line pairs)."""
    a, b = _words(old), _words(new)
    old_segments: list[Segment] = []
    new_segments: list[Segment] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            old_segments.append(Segment("".join(a[i1:i2]), "equal"))
            new_segments.append(Segment("".join(b[j1:j2]), "equal"))
            continue
        if i2 > i1:
            old_segments.append(Segment("".join(a[i1:i2]), "delete"))
        if j2 > j1:
            new_segments.append(Segment("".join(b[j1:j2]), "insert"))
    return _coalesce(old_segments), _coalesce(new_segments)


def diff_lines(old: list[str], new: list[str]) -> list[DiffRow]:
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for offset in range(i2 - i1):
                rows.append(
                    DiffRow(
                        "equal",
                        i1 + offset + 1,
                        j1 + offset + 1,
                        [Segment(old[i1 + offset], "equal")],
                    )
                )
            continue
        deleted = old[i1:i2]
        inserted = new[j1:j2]
        paired = min(len(deleted), len(inserted)) if tag == "replace" else 0
        pairs = [_word_segments(deleted[k], inserted[k]) for k in range(paired)]
        for k, line in enumerate(deleted):
            segments = pairs[k][0] if k < paired else [Segment(line, "delete")]
            rows.append(DiffRow("delete", i1 + k + 1, None, segments))
        for k, line in enumerate(inserted):
            segments = pairs[k][1] if k < paired else [Segment(line, "insert")]
            rows.append(DiffRow("insert", None, j1 + k + 1, segments))
    return rows


def criterion_line(text: str, weight: int, is_critical: bool, *, critical_label: str) -> str:
    suffix = f" · {critical_label}" if is_critical else ""
    return f"{text} (×{weight}){suffix}"


def situation_lines(title: str, customer_says: str, prescribed_response: str) -> list[str]:
    return [f"## {title}", f"> {customer_says}", f"→ {prescribed_response}"]


@dataclass
class VersionDiff:
    body: list[DiffRow]
    criteria: list[DiffRow]
    situations: list[DiffRow]

    @property
    def has_changes(self) -> bool:
        return any(row.kind != "equal" for row in self.body + self.criteria + self.situations)

    @staticmethod
    def counts(rows: list[DiffRow]) -> tuple[int, int]:
        return (
            sum(1 for row in rows if row.kind == "insert"),
            sum(1 for row in rows if row.kind == "delete"),
        )


def diff_versions(old, new, *, critical_label: str) -> VersionDiff:
    """``old`` and ``new`` are StandardVersions with criteria and situations prefetched."""

    def criteria(version) -> list[str]:
        return [
            criterion_line(c.text, c.weight, c.is_critical, critical_label=critical_label)
            for c in version.criteria.all()
        ]

    def situations(version) -> list[str]:
        lines: list[str] = []
        for s in version.situations.all():
            lines.extend(situation_lines(s.title, s.customer_says, s.prescribed_response))
        return lines

    return VersionDiff(
        body=diff_lines(old.body_markdown.splitlines(), new.body_markdown.splitlines()),
        criteria=diff_lines(criteria(old), criteria(new)),
        situations=diff_lines(situations(old), situations(new)),
    )
