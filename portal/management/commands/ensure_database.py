from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    help = "Create the PostgreSQL database named in DATABASE_URL if it does not exist yet."

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            self.stdout.write("Not PostgreSQL: nothing to create.")
            return
        import psycopg2
        from psycopg2 import sql

        params = connection.get_connection_params()
        name = params.pop("dbname", None) or params.pop("database")
        try:
            admin = psycopg2.connect(dbname="postgres", **params)
        except psycopg2.Error as exc:
            raise CommandError(f"Cannot reach PostgreSQL: {exc}") from None
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone():
                self.stdout.write(f"Database {name} exists.")
            else:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                self.stdout.write(self.style.SUCCESS(f"Created database {name}."))
        admin.close()
