"""Quality sits above standards, training, SLA and surveys: it reads them, none of them imports
it (their pages reach it only through ``core.hooks`` slots)."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

LOWER_APPS = ("standards", "training", "sla", "surveys")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


@pytest.mark.parametrize("app", LOWER_APPS)
def test_lower_apps_do_not_import_quality(app):
    root = Path(settings.BASE_DIR) / app
    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}: {module}"
        for path in sorted(root.rglob("*.py"))
        for module in _imports(path)
        if module == "quality" or module.startswith("quality.")
    ]
    assert offenders == []


@pytest.mark.parametrize("app", LOWER_APPS)
def test_lower_templates_do_not_name_quality_urls(app):
    root = Path(settings.BASE_DIR) / app / "templates"
    offenders = [
        str(path.relative_to(settings.BASE_DIR))
        for path in sorted(root.rglob("*.html"))
        if "'quality:" in path.read_text(encoding="utf-8")
        or '"quality:' in path.read_text(encoding="utf-8")
        or "quality/" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_the_scan_sees_an_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from quality.models import Evaluation\nimport quality.scoring\n")
    assert _imports(sample) == {"quality.models", "quality.scoring"}
