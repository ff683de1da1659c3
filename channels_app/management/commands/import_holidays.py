"""``manage.py import_holidays "Office hours (Warsaw)" --country PL --year 2027 [--subdiv XX]``."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from channels_app import services
from channels_app.models import BusinessCalendar


class Command(BaseCommand):
    help = "Add a country's public holidays for one year to a business calendar."

    def add_arguments(self, parser):
        parser.add_argument("calendar", help="Calendar name, or its id.")
        parser.add_argument("--country", required=True, help="ISO 3166-1 alpha-2 code, e.g. PL.")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--subdiv", default=None, help="Optional subdivision code.")

    def handle(self, *args, calendar, country, year, subdiv, **options):
        target = self._calendar(calendar)
        try:
            count = services.calendar_import_holidays(
                calendar=target, country=country, year=year, subdiv=subdiv
            )
        except ValidationError as exc:
            problems = (
                [f"{field}: {m}" for field, msgs in exc.message_dict.items() for m in msgs]
                if hasattr(exc, "error_dict")
                else exc.messages
            )
            raise CommandError(" ".join(problems)) from None
        self.stdout.write(self.style.SUCCESS(f"Imported {count} holiday(s) into “{target.name}”."))

    def _calendar(self, ref: str) -> BusinessCalendar:
        calendar = BusinessCalendar.objects.filter(name=ref).first()
        if calendar is None and ref.isdigit():
            calendar = BusinessCalendar.objects.filter(pk=int(ref)).first()
        if calendar is None:
            raise CommandError(f"No business calendar named or numbered “{ref}”.")
        return calendar
