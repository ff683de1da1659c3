"""One guard for rows frozen with their parent: the criteria and situations of a published or
archived standard version, and its check's questions and answers, never change once the
version is frozen.

Two layers, declared once per child model:

- the model layer (``FrozenChildModel`` and its ``FrozenChildQuerySet``): ``save()``,
  ``delete()``, ``bulk_create()``, ``QuerySet.update()`` and ``QuerySet.delete()`` raise the
  model's ``frozen_error``;
- the database (``frozen_child_trigger``, a migration operation): raw SQL that inserts or
  updates such a row is refused on SQLite and PostgreSQL; PostgreSQL also refuses deleting it.
  SQLite keeps DELETE allowed because Django's test flush deletes rows one table at a time.

A child declares ``frozen_via`` (its foreign key towards the parent) and ``frozen_when`` (a
lookup on that key's model that is true while the parent is frozen), e.g. ``frozen_via =
"question"``, ``frozen_when = {"version__status__in": FROZEN}``.

Caution for later migrations: when SQLite rebuilds a table (most ALTERs), its triggers are
dropped; re-create them in that migration with the same operation.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import migrations, models


class FrozenChildQuerySet(models.QuerySet):
    """Bulk writes refuse once any row concerned hangs off a frozen parent."""

    def _frozen_lookup(self) -> dict:
        via = self.model.frozen_via
        return {f"{via}__{key}": value for key, value in self.model.frozen_when.items()}

    def _touches_frozen(self) -> bool:
        return self.filter(**self._frozen_lookup()).exists()

    def update(self, **kwargs):
        if self._touches_frozen():
            raise self.model.frozen_error
        return super().update(**kwargs)

    def delete(self):
        if self._touches_frozen():
            raise self.model.frozen_error
        return super().delete()

    delete.queryset_only = True

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        attname = self.model._meta.get_field(self.model.frozen_via).attname
        if self.model.parents_frozen({getattr(obj, attname) for obj in objs}):
            raise self.model.frozen_error
        return super().bulk_create(objs, *args, **kwargs)


class FrozenChildModel(models.Model):
    """A row that is frozen with its parent (see the module's docstring)."""

    frozen_via: str = "version"
    frozen_when: dict = {}
    frozen_error: type[ValidationError] = ValidationError

    objects = FrozenChildQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._parent_frozen():
            raise self.frozen_error
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._parent_frozen():
            raise self.frozen_error
        return super().delete(*args, **kwargs)

    @classmethod
    def parents_frozen(cls, parent_ids) -> bool:
        """Whether any of these parents (ids of the ``frozen_via`` model) is frozen now."""
        parent_ids = {pk for pk in parent_ids if pk is not None}
        if not parent_ids:
            return False
        parent = cls._meta.get_field(cls.frozen_via).related_model
        return parent._base_manager.filter(pk__in=parent_ids, **cls.frozen_when).exists()

    def _parent_frozen(self) -> bool:
        return self.parents_frozen({getattr(self, self._meta.get_field(self.frozen_via).attname)})


# --- The database's half ---------------------------------------------------------------------


@dataclass(frozen=True)
class FrozenChildTrigger:
    """Trigger SQL refusing changes to ``table``'s rows whose ``column`` points at a frozen
    parent. ``parent_frozen`` is a SQL query selecting a row exactly when the parent whose id
    is ``{ref}`` is frozen, e.g. ``SELECT 1 FROM standards_standardversion WHERE id = {ref}
    AND status IN ('published', 'archived')``."""

    table: str
    column: str
    parent_frozen: str
    message: str

    def _exists(self, ref: str) -> str:
        return f"EXISTS ({self.parent_frozen.format(ref=ref)})"

    def sqlite(self) -> tuple[list[str], list[str]]:
        t, c = self.table, self.column
        forwards = [
            f"""
            CREATE TRIGGER {t}_frozen_insert
            BEFORE INSERT ON {t} FOR EACH ROW
            WHEN {self._exists(f"NEW.{c}")}
            BEGIN SELECT RAISE(ABORT, '{self.message}'); END;
            """,
            f"""
            CREATE TRIGGER {t}_frozen_update
            BEFORE UPDATE ON {t} FOR EACH ROW
            WHEN {self._exists(f"OLD.{c}")} OR {self._exists(f"NEW.{c}")}
            BEGIN SELECT RAISE(ABORT, '{self.message}'); END;
            """,
        ]
        backwards = [
            f"DROP TRIGGER IF EXISTS {t}_frozen_insert;",
            f"DROP TRIGGER IF EXISTS {t}_frozen_update;",
        ]
        return forwards, backwards

    def postgresql(self) -> tuple[list[str], list[str]]:
        t, c = self.table, self.column
        function = f"{t}_frozen_guard"
        forwards = [
            f"""
            CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
            BEGIN
                IF (TG_OP IN ('UPDATE', 'DELETE') AND {self._exists(f"OLD.{c}")})
                   OR (TG_OP IN ('INSERT', 'UPDATE') AND {self._exists(f"NEW.{c}")}) THEN
                    RAISE EXCEPTION '{self.message}' USING ERRCODE = 'check_violation';
                END IF;
                IF TG_OP = 'DELETE' THEN
                    RETURN OLD;
                END IF;
                RETURN NEW;
            END;
            $$ LANGUAGE plpgsql;
            """,
            f"""
            CREATE TRIGGER {t}_guard
            BEFORE INSERT OR UPDATE OR DELETE ON {t}
            FOR EACH ROW EXECUTE FUNCTION {function}();
            """,
        ]
        backwards = [
            f"DROP TRIGGER IF EXISTS {t}_guard ON {t};",
            f"DROP FUNCTION IF EXISTS {function}();",
        ]
        return forwards, backwards

    def statements(self, vendor: str) -> tuple[list[str], list[str]]:
        if vendor == "sqlite":
            return self.sqlite()
        if vendor == "postgresql":
            return self.postgresql()
        return [], []  # another database: the model layer still refuses


def frozen_child_trigger(*triggers: FrozenChildTrigger) -> migrations.RunPython:
    """A migration operation creating (and on reversal dropping) these triggers."""

    def forwards(apps, schema_editor):
        for trigger in triggers:
            for sql in trigger.statements(schema_editor.connection.vendor)[0]:
                schema_editor.execute(sql)

    def backwards(apps, schema_editor):
        for trigger in reversed(triggers):
            for sql in trigger.statements(schema_editor.connection.vendor)[1]:
                schema_editor.execute(sql)

    return migrations.RunPython(forwards, backwards, elidable=False)
