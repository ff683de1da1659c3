"""The three roles, as Django groups, and what each may do.

Groups are created by a data migration; their model permissions are re-synced after every
``migrate`` (``post_migrate``), because the permissions of apps added later only exist then.
"""

from django.contrib.auth.models import AnonymousUser, User

MANAGER = "Manager"
STAFF = "Staff"
INTEGRATION = "Integration"
ALL_ROLES = (MANAGER, STAFF, INTEGRATION)

# app label -> model permission actions ("*" for all) per role.
ROLE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    MANAGER: {
        "channels_app": ("*",),
        "standards": ("*",),
        "sla": ("*",),
        "training": ("*",),
        "surveys": ("*",),
        "quality": ("*",),
        "auth": ("view",),
    },
    STAFF: {
        "channels_app": ("view",),
        "standards": ("view",),
        "training": ("view",),
        "quality": ("view",),
    },
    INTEGRATION: {
        "channels_app": ("view",),
        "sla": ("add", "change", "view"),
        "surveys": ("view",),
    },
}


def user_roles(user: User | AnonymousUser) -> frozenset[str]:
    """The roles of a user, cached on the instance so a page asks the database once."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_portal_roles", None)
    if cached is None:
        names = set(user.groups.filter(name__in=ALL_ROLES).values_list("name", flat=True))
        if user.is_superuser:
            names.add(MANAGER)
        cached = frozenset(names)
        user._portal_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(user_roles(user).intersection(roles))


def sync_group_permissions(**kwargs) -> None:
    """Create the groups if missing and grant each exactly the permissions listed above."""
    from django.contrib.auth.models import Group, Permission

    for role, grants in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for app_label, actions in grants.items():
            perms = Permission.objects.filter(content_type__app_label=app_label)
            if "*" not in actions:
                perms = [p for p in perms if p.codename.split("_", 1)[0] in actions]
            wanted.extend(perms)
        group.permissions.set(wanted)
