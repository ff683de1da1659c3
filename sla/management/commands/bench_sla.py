from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from sla import bench
from sla.bench import print_table


class Command(BaseCommand):
    help = (
        "SLA speed targets on PostgreSQL: the sweep against hand-written SQL, a sweep with "
        "nothing new, bulk ingestion through the API and business-minute arithmetic. Prints a "
        "table and writes var/bench/sla.json; builds its own data and removes it afterwards."
    )

    def add_arguments(self, parser):
        defaults = bench.Options()
        parser.add_argument("--contacts", type=int, default=defaults.contacts)
        parser.add_argument("--overdue", type=int, default=defaults.overdue)
        parser.add_argument("--ingest", type=int, default=defaults.ingest)
        parser.add_argument("--batch", type=int, default=defaults.batch)
        parser.add_argument("--add-minutes-calls", type=int, default=defaults.add_minutes_calls)
        parser.add_argument("--rounds", type=int, default=defaults.rounds)
        parser.add_argument("--keep", action="store_true", help="Keep the data (to EXPLAIN).")
        parser.add_argument(
            "--no-vacuum",
            action="store_false",
            dest="vacuum",
            help="Skip VACUUM ANALYZE between runs (tiny runs; leaves the planner's stats alone).",
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The SLA benchmark needs PostgreSQL: set DATABASE_URL.")
        if not 0 <= options["overdue"] <= options["contacts"]:
            raise CommandError("--overdue must be between 0 and --contacts.")
        if options["batch"] < 1 or options["batch"] > 1000 or options["rounds"] < 1:
            raise CommandError("--batch must be 1 to 1000 and --rounds at least 1.")
        opts = bench.Options(
            contacts=options["contacts"],
            overdue=options["overdue"],
            ingest=options["ingest"],
            batch=options["batch"],
            add_minutes_calls=options["add_minutes_calls"],
            rounds=options["rounds"],
            keep=options["keep"],
            vacuum=options["vacuum"],
        )
        results = bench.run(opts, write=self.stdout.write)
        print_table(bench.verdicts(results), write=self.stdout.write)
        path = bench.write_json(results)
        self.stdout.write(f"Written to {path}")
