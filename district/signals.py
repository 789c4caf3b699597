"""Signals the district app sends for apps above it."""

from django.dispatch import Signal

# Sent, inside the writing transaction, after rows were changed with QuerySet.update()
# or created in bulk (neither sends post_save): sender is the model, `before` the rows
# as they were (model instances; None for a created row), `after` as they are now.
# Derived data (goals' stored rollups) follows it.
rows_updated = Signal()
