"""The demo district's tiers, its 2017-18 tier rules and its supports (see `district.demo`).

Invented, like the cabinet: the tiers' meanings, the three rules for 2017-18 (not yet
adopted, so a new user adopts them), three supports, and a network chief's login
("chief", the chief of Network 11). The CPS data holds no principals' names, so the demo
records no principals: a district enters its own (admin or API).
"""

from decimal import Decimal

from django.contrib.auth import get_user_model

from district.demo import ensure
from district.models import AccessLevel, District, Membership, Network, Person
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


def build_tiers(district: District, *, password: str, acting_user) -> None:
    """The demo's tiers, 2017-18 rules, supports, and the network chief's login."""
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
    ensure_chief_login(district, password=password, acting_user=acting_user)


def ensure_chief_login(district: District, *, password: str, acting_user) -> None:
    """The login "chief": an editor whose person leads `CHIEF_NETWORK`."""
    user_model = get_user_model()
    user = user_model.objects.filter(username=CHIEF_LOGIN).first()
    if user is None:
        user = user_model(username=CHIEF_LOGIN, email=f"{CHIEF_LOGIN}@example.org")
    if user.pk is None or not user.check_password(password):
        user.set_password(password)
        user.save()
    ensure(
        Membership,
        acting_user=acting_user,
        district=district,
        user=user,
        defaults={"access_level": AccessLevel.EDITOR},
    )
    network = Network.objects.filter(district=district, name=CHIEF_NETWORK).first()
    if network is not None and network.chief_id is not None:
        for other in Person.objects.filter(district=district, user=user).exclude(
            pk=network.chief_id
        ):
            ensure(
                Person, acting_user=acting_user, pk=other.pk, defaults={"user": None}
            )
        ensure(
            Person,
            acting_user=acting_user,
            pk=network.chief_id,
            defaults={"user": user},
        )
