from django.core.management.base import BaseCommand

from core import outbox


class Command(BaseCommand):
    help = "Send every due outgoing email now, as the worker does every minute."

    def handle(self, *args, **options):
        counts = outbox.outbox_send()
        self.stdout.write(
            "Sent {sent}, retrying {retrying}, failed {failed}, cancelled {cancelled}.".format(
                **counts
            )
        )
