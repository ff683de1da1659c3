from django.core.management.base import BaseCommand, CommandError

from core import outbox


class Command(BaseCommand):
    help = (
        "Put failed outgoing emails back in the queue (all of them, or the given ids); the "
        "worker sends them within a minute, or run with --now to send from this process."
    )

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int, help="message ids (default: every failed)")
        parser.add_argument("--now", action="store_true", help="send at once, here")

    def handle(self, *args, ids, now, **options):
        if any(i <= 0 for i in ids):
            raise CommandError("Message ids are positive whole numbers.")
        count = outbox.messages_resend(ids=ids or None)
        self.stdout.write(f"{count} message(s) queued again.")
        if now:
            counts = outbox.outbox_send()
            self.stdout.write(
                "Sent {sent}, retrying {retrying}, failed {failed}, cancelled {cancelled}.".format(
                    **counts
                )
            )
