from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.i18n import catalogue_paths, compile_catalogues


class Command(BaseCommand):
    help = (
        "Compile every locale/<lang>/LC_MESSAGES/django.po into django.mo with polib "
        "(pure Python: GNU gettext's msgfmt is not needed). Fuzzy entries are left out."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--locale-dir",
            action="append",
            dest="locale_dirs",
            metavar="DIR",
            help="Folder holding <lang>/LC_MESSAGES/ (repeatable). Default: LOCALE_PATHS.",
        )

    def handle(self, *args, locale_dirs=None, **options):
        folders = [Path(d) for d in (locale_dirs or settings.LOCALE_PATHS)]
        catalogues = [po for folder in folders for po in catalogue_paths(folder)]
        if not catalogues:
            raise CommandError(
                "No django.po catalogue found under " + ", ".join(str(f) for f in folders)
            )
        written = {mo for folder in folders for mo in compile_catalogues(folder)}
        for po in catalogues:
            mo = po.with_suffix(".mo")
            state = "compiled" if mo in written else "up to date"
            self.stdout.write(f"{mo} ({state})")
        self.stdout.write(self.style.SUCCESS(f"{len(catalogues)} catalogue(s) ready."))
