"""Demo accounts for `seed_demo`: one per role, with a shared, printed password."""

from django.contrib.auth.models import Group, User
from rest_framework.authtoken.models import Token

from core.roles import INTEGRATION, MANAGER, STAFF

DEMO_PASSWORD = "demo-portal-2026"  # noqa: S105 - printed on purpose, for the demo only

DEMO_USERS = [
    # username, first name, last name, role, can use the admin site
    ("manager", "Maria", "Nowak", MANAGER, True),
    ("agent", "Anna", "Kowalska", STAFF, False),
    ("agent2", "Ivan", "Petrov", STAFF, False),
    ("newhire", "Piotr", "Zieliński", STAFF, False),
    ("helpdesk", "Helpdesk", "Integration", INTEGRATION, False),
]


def seed_users() -> dict[str, User]:
    users = {}
    for username, first, last, role, is_staff in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@demo.example.com",
                "is_staff": is_staff,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=role))
        users[username] = user
    Token.objects.get_or_create(user=users["helpdesk"])
    return users
