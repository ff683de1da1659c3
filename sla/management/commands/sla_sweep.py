from django.core.management.base import BaseCommand

from sla import tasks


class Command(BaseCommand):
    help = (
        "Mark at-risk and breached contacts, record breaches and queue notifications, once: "
        "the same code the beat schedule runs every minute."
    )

    def handle(self, *args, **options):
        counts = tasks.sweep_once()
        for name, value in counts.items():
            self.stdout.write(f"{name}: {value}")
