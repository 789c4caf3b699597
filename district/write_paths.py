"""Which way a change came into Lanes: the entry grid, an import, the API or the admin.

Each write path says so once, around everything it writes (`writing_through`); a
history record written meanwhile takes it as its `history_write_path`, whether
simple-history writes it row by row (the field's default reads `current_write_path`)
or `district.bulk_history` writes thousands at once. Models whose history records the
path declare `HistoricalRecords(bases=[WritePathHistory])`.
"""

import contextlib
from contextvars import ContextVar

from django.db import models
from django.utils.translation import gettext_lazy as _


class WritePath(models.TextChoices):
    """The ways a change comes in."""

    GRID = "grid", _("Entry grid")
    IMPORT = "import", _("Import")
    API = "api", _("API")
    ADMIN = "admin", _("Admin")


_current: ContextVar[str] = ContextVar("write_path", default="")


def current_write_path() -> str:
    """The write path changes are coming through now ("" when none said)."""
    return _current.get()


@contextlib.contextmanager
def writing_through(path: WritePath):
    """Record `path` on the history of every change made inside this block."""
    token = _current.set(WritePath(path).value)
    try:
        yield
    finally:
        _current.reset(token)


class WritePathHistory(models.Model):
    """A history record's write path (a base of historical models)."""

    history_write_path = models.CharField(
        max_length=10,
        choices=WritePath,
        blank=True,
        default=current_write_path,
    )

    class Meta:
        abstract = True
