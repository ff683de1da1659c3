from django.core.management.base import BaseCommand
from django.db import transaction
from rest_framework.authtoken.models import Token

from channels_app import demo as channels_demo
from portal import demo


class Command(BaseCommand):
    help = "Load the demo data: accounts for each role, channels and calendars. Idempotent."

    def handle(self, *args, **options):
        with transaction.atomic():
            users = demo.seed_users()
            channels_demo.seed(owner=users["manager"])
        token = Token.objects.get(user=users["helpdesk"])
        self.stdout.write(self.style.SUCCESS("Demo data is loaded. Log in at /accounts/login/ as:"))
        for username, first, last, role, _ in demo.DEMO_USERS:
            self.stdout.write(f"  {username:<10} {role:<12} {first} {last}")
        self.stdout.write(f"Password for all of them: {demo.DEMO_PASSWORD}")
        self.stdout.write(f"API token of 'helpdesk': {token.key}")
