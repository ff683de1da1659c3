from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from sla.bench import print_table
from sla.reports import bench


class Command(BaseCommand):
    help = (
        "SLA report speed on PostgreSQL: the report API (90 days by channel, 30 days by day) "
        "against hand-written SQL, and the manager dashboard under concurrent load through "
        "gunicorn. Prints a table and writes var/bench/reports.json; keeps its data "
        "(channels benchr-*) for the next run unless --cleanup."
    )

    def add_arguments(self, parser):
        defaults = bench.Options()
        parser.add_argument("--contacts", type=int, default=defaults.contacts)
        parser.add_argument("--rounds", type=int, default=defaults.rounds)
        parser.add_argument("--concurrency", type=int, default=defaults.concurrency)
        parser.add_argument("--load-seconds", type=float, default=defaults.load_seconds)
        parser.add_argument("--load-requests", type=int, default=defaults.load_requests)
        parser.add_argument("--rebuild", action="store_true", help="Build the data afresh.")
        parser.add_argument(
            "--cleanup", action="store_true", help="Only remove the benchmark's data."
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The report benchmark needs PostgreSQL: set DATABASE_URL.")
        if options["cleanup"]:
            bench.cleanup()
            self.stdout.write("Removed the report benchmark's data.")
            return
        if options["contacts"] < 1 or options["rounds"] < 1:
            raise CommandError("--contacts and --rounds must be at least 1.")
        if not 1 <= options["concurrency"] <= 64:
            raise CommandError("--concurrency must be 1 to 64.")
        if options["load_seconds"] <= 0 or options["load_requests"] < 1:
            raise CommandError("--load-seconds and --load-requests must be positive.")
        opts = bench.Options(
            contacts=options["contacts"],
            rounds=options["rounds"],
            concurrency=options["concurrency"],
            load_seconds=options["load_seconds"],
            load_requests=options["load_requests"],
            rebuild=options["rebuild"],
        )
        results = bench.run(opts, write=self.stdout.write)
        print_table(bench.verdicts(results), write=self.stdout.write)
        path = bench.write_json(results)
        self.stdout.write(f"Written to {path}")
