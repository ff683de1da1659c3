"""The line and word diff behind the diff page (pure Python, no database)."""

from types import SimpleNamespace

from standards.diff import VersionDiff, diff_lines, diff_versions


def _text(rows, kind):
    return [row.text for row in rows if row.kind == kind]


def test_equal_lines_keep_both_numbers():
    rows = diff_lines(["a", "b"], ["a", "b"])
    assert [(r.kind, r.old_number, r.new_number, r.text) for r in rows] == [
        ("equal", 1, 1, "a"),
        ("equal", 2, 2, "b"),
    ]


def test_added_and_removed_lines():
    rows = diff_lines(["keep", "gone"], ["keep", "new one", "another"])
    assert _text(rows, "delete") == ["gone"]
    assert _text(rows, "insert") == ["new one", "another"]
    inserted = [r for r in rows if r.kind == "insert"]
    assert [r.new_number for r in inserted] == [2, 3]
    assert all(r.old_number is None for r in inserted)


def test_a_changed_line_marks_only_the_changed_words():
    rows = diff_lines(["Answer within 3 rings."], ["Answer within 5 seconds."])
    deleted, inserted = rows
    assert [(s.kind, s.text) for s in deleted.segments] == [
        ("equal", "Answer within "),
        ("delete", "3 rings."),
    ]
    assert [(s.kind, s.text) for s in inserted.segments] == [
        ("equal", "Answer within "),
        ("insert", "5 seconds."),
    ]


def test_empty_texts():
    assert diff_lines([], []) == []
    rows = diff_lines([], ["first"])
    assert [(r.kind, r.text) for r in rows] == [("insert", "first")]


def _version(body, criteria=(), situations=()):
    return SimpleNamespace(
        body_markdown=body,
        criteria=SimpleNamespace(all=lambda: list(criteria)),
        situations=SimpleNamespace(all=lambda: list(situations)),
    )


def test_diff_versions_covers_body_criteria_and_situations():
    old = _version(
        "Hello\nWorld",
        criteria=[SimpleNamespace(text="Greets", weight=2, is_critical=False)],
    )
    new = _version(
        "Hello\nEveryone",
        criteria=[SimpleNamespace(text="Greets", weight=3, is_critical=True)],
        situations=[
            SimpleNamespace(title="Angry", customer_says="Shouts", prescribed_response="Calm")
        ],
    )
    diff = diff_versions(old, new, critical_label="critical")
    assert diff.has_changes
    assert VersionDiff.counts(diff.body) == (1, 1)
    assert _text(diff.criteria, "delete") == ["Greets (×2)"]
    assert _text(diff.criteria, "insert") == ["Greets (×3) · critical"]
    assert _text(diff.situations, "insert") == ["## Angry", "> Shouts", "→ Calm"]
    same = diff_versions(old, old, critical_label="critical")
    assert not same.has_changes
