from datetime import date

from django.core.management.base import BaseCommand, CommandError

from standards import services


class Command(BaseCommand):
    help = (
        "E-mail standard owners whose review is due in 14 days or today (what the daily Celery "
        "task does). Reminders already sent are not sent again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Pretend today is this date (YYYY-MM-DD).")

    def handle(self, *args, **options):
        today = None
        if options["today"]:
            try:
                today = date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError("--today must be a date as YYYY-MM-DD.") from None
        sent = services.review_reminders_send(today=today)
        self.stdout.write(f"{sent} review reminder(s) sent.")
