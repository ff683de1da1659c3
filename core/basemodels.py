from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """created_at / updated_at for every model that users edit."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class InsertOnlyModel(models.Model):
    """Rows written once and never changed (records of what someone did or judged).

    Saving a row that is already stored raises ``immutable_error``, also for a copy loaded
    elsewhere whose ``_state`` says "new" but whose primary key exists. Querysets and the
    database guard the bulk paths; each model decides whether a row may be deleted.
    """

    immutable_error: type[Exception] = ValueError

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding or (
            self.pk is not None and type(self)._base_manager.filter(pk=self.pk).exists()
        ):
            raise self.immutable_error
        super().save(*args, **kwargs)
