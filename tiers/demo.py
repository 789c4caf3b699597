"""The demo district's tiers, its 2017-18 tier rules and its supports (see `district.demo`).

Invented, like the cabinet: the tiers' meanings, the three rules for 2017-18 (not yet
adopted, so a new user adopts them), three supports, and a network chief's login
("chief", the chief of Network 11). The CPS data holds no principals' names, so the demo
records no principals: a district enters its own (admin or API).
"""

from decimal import Decimal

from district.demo import ensure
from district.models import District, Network, Person
from goals.models import Metric

from .models import (
    CapacityUnit,
    Comparison,
    MonitoringCadence,
    Support,
    SupportKind,
    Tier,
    TierPlan,
    TierRule,
)

# level: (name, cadence, description, autonomies)
TIERS = {
    1: (
        "Tier 1: autonomy",
        MonitoringCadence.QUARTERLY,
        "High-performing schools that have earned autonomy to design their own "
        "approach.",
        "Choose its own curriculum pacing and interim assessments\n"
        "Set its own professional learning calendar\n"
        "Opt out of network-wide initiatives",
    ),
    2: (
        "Tier 2: support",
        MonitoringCadence.MONTHLY,
        "Schools on their way: the network's usual support and monthly check-ins.",
        "Adjust pacing with the network's approval",
    ),
    3: (
        "Tier 3: intensive",
        MonitoringCadence.WEEKLY,
        "Schools furthest from their targets: weekly visits and first call on coaches "
        "and partners.",
        "",
    ),
}

SCHOOL_YEAR = "2017-18"
ATTENDANCE = "student_attendance_pct"
# (tier level, metric code, comparison, threshold, min off track, max off track)
RULES = [
    (1, ATTENDANCE, Comparison.AT_LEAST, Decimal("95"), None, 0),
    (3, None, "", None, 3, None),
    (3, ATTENDANCE, Comparison.AT_MOST, Decimal("88"), None, None),
]

# name: (kind, unit, capacity, description)
SUPPORTS = {
    "Literacy coach": (
        SupportKind.COACH,
        CapacityUnit.SCHOOLS,
        12,
        "A literacy coach working with a school's teachers every week.",
    ),
    "Math content expert": (
        SupportKind.CONTENT_EXPERT,
        CapacityUnit.HOURS_PER_WEEK,
        40,
        "Hours of the central office's math content experts.",
    ),
    "Attendance partner": (
        SupportKind.PARTNER,
        CapacityUnit.SCHOOLS,
        20,
        "A community partner running attendance outreach.",
    ),
}

CHIEF_LOGIN = "chief"
# A network with several schools in tier 3 under the demo rules.
CHIEF_NETWORK = "Network 11"


def build_tiers(*, district: District, users: dict, acting_user) -> None:
    """The demo's tiers, 2017-18 rules, supports; the login "chief" leads Network 11.

    A step of `load_demo` (`district.demo.register_demo_step`).
    """
    tiers = {
        level: ensure(
            Tier,
            acting_user=acting_user,
            district=district,
            level=level,
            defaults={
                "name": name,
                "monitoring_cadence": cadence,
                "description": description,
                "autonomies": autonomies,
            },
        )
        for level, (name, cadence, description, autonomies) in TIERS.items()
    }
    plan = ensure(
        TierPlan,
        acting_user=acting_user,
        district=district,
        school_year=SCHOOL_YEAR,
        defaults={"default_tier": tiers[2]},
    )
    metrics = {m.code: m for m in Metric.objects.filter(district=district)}
    for position, (level, code, comparison, threshold, low, high) in enumerate(
        RULES, start=1
    ):
        ensure(
            TierRule,
            acting_user=acting_user,
            district=district,
            plan=plan,
            position=position,
            defaults={
                "tier": tiers[level],
                "metric": metrics[code] if code else None,
                "comparison": comparison,
                "threshold": threshold,
                "min_off_track": low,
                "max_off_track": high,
            },
        )
    for name, (kind, unit, capacity, description) in SUPPORTS.items():
        ensure(
            Support,
            acting_user=acting_user,
            district=district,
            name=name,
            defaults={
                "kind": kind,
                "unit": unit,
                "capacity": capacity,
                "description": description,
            },
        )
    link_chief(district, users["chief"], acting_user=acting_user)


def link_chief(district: District, user, *, acting_user) -> None:
    """Make the login "chief" the person who leads `CHIEF_NETWORK`."""
    network = Network.objects.filter(district=district, name=CHIEF_NETWORK).first()
    if network is None or network.chief_id is None:
        return
    for other in Person.objects.filter(district=district, user=user).exclude(
        pk=network.chief_id
    ):
        ensure(Person, acting_user=acting_user, pk=other.pk, defaults={"user": None})
    ensure(
        Person, acting_user=acting_user, pk=network.chief_id, defaults={"user": user}
    )
