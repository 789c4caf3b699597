"""Writing a metric's commentary for a period: what is behind the number, what is next."""

import datetime

from django.db import transaction

from district.models import Network

from .models import Commentary, Metric


@transaction.atomic
def write_commentary(
    *,
    metric: Metric,
    period_end: datetime.date,
    network: Network | None = None,
    behind_the_number: str,
    next_steps: str,
    acting_user,
) -> Commentary:
    """Create or change the scope's commentary for the period (refused when closed).

    Runs `full_clean()`, so a closed period or a network of another district is a
    ValidationError and nothing is saved. The history names `acting_user`.
    """
    commentary = (
        Commentary.objects.select_for_update()
        .filter(metric=metric, network=network, period_end=period_end)
        .first()
    )
    if commentary is None:
        commentary = Commentary(
            district=metric.district,
            metric=metric,
            network=network,
            period_end=period_end,
            written_by=acting_user,
        )
    commentary.behind_the_number = behind_the_number
    commentary.next_steps = next_steps
    commentary._history_user = acting_user
    commentary.full_clean()
    commentary.save()
    return commentary
