from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token

from demo import channels as channels_demo
from demo import quality as quality_demo
from demo import sla as sla_demo
from demo import standards as standards_demo
from demo import surveys as surveys_demo
from demo import training as training_demo
from demo import users as users_demo


class Command(BaseCommand):
    help = "Load the demo data of every app, starting with an account for each role. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even though DJANGO_DEBUG=0 (the demo accounts' password is public).",
        )

    def handle(self, *args, **options):
        # Every demo account shares a password printed in the README: on a production site
        # (DEBUG off) that is an open door, so it takes an explicit flag.
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "DJANGO_DEBUG=0: this looks like production, and the demo accounts' password is"
                " public. Run with --allow-production to seed anyway."
            )
        with transaction.atomic():
            users = users_demo.seed_users()
            channels_demo.seed(owner=users["manager"])
            for module in (standards_demo, sla_demo, training_demo, surveys_demo, quality_demo):
                module.seed(users=users)
        token = Token.objects.get(user=users["helpdesk"])
        self.stdout.write(self.style.SUCCESS("Demo data is loaded. Log in at /accounts/login/ as:"))
        for username, first, last, role, _ in users_demo.DEMO_USERS:
            self.stdout.write(f"  {username:<10} {role:<12} {first} {last}")
        self.stdout.write(f"Password for all of them: {users_demo.DEMO_PASSWORD}")
        self.stdout.write(f"API token of 'helpdesk': {token.key}")
