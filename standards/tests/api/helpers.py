"""Field sets and paths of the API tests."""

STANDARD_FIELDS = {
    "id",
    "slug",
    "title",
    "category",
    "channels",
    "four_eyes",
    "four_eyes_required",
    "retired",
    "retired_at",
    "current_version",
}
CURRENT_VERSION_FIELDS = {
    "number",
    "published_at",
    "body_markdown",
    "body_html",
    "change_kind",
    "criteria",
}
CRITERION_FIELDS = {"id", "text", "weight", "is_critical"}
LIST = "/api/v1/standards/"


def _detail(standard) -> str:
    return f"{LIST}{standard.pk}/"


def _versions(standard) -> str:
    return f"{LIST}{standard.pk}/versions/"


def _publish(standard, number) -> str:
    return f"{LIST}{standard.pk}/versions/{number}/publish/"
