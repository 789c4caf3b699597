"""Signals the district app sends for apps above it."""

from django.dispatch import Signal

# Sent, inside the writing transaction, after rows were changed with QuerySet.update()
# (which sends no post_save): sender is the model, `before` the rows as they were (model
# instances), `after` as they are now. Derived data (goals' stored rollups) follows it.
rows_updated = Signal()
