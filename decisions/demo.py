"""Two-key decisions in the demo district: the "Digital content" kind with the CAO's
and the CTO's checklists, and three teacher requests for apps (all invented).

- "LeafLine Reader": the CTO approved with a condition, then the CAO approved; it is
  in the register of approved tools with the CTO's condition.
- "QuizBlitz": the CTO declined it; the requester sees why.
- "SoundSteps Phonics": the CAO approved, the CTO's review is past the target of
  10 working days (on the cabinet's page of open decisions and in the CTO's owed work).

The decisions are linked to the matrix row "Approving teacher requests for digital
tools" (roles/demo.py), on which the CAO is accountable and the CTO consulted. Each
goes through `decisions.workflow` as a person would, dated back from today; a decision
already in the demo is left alone, so loading the demo again changes nothing.
"""

import datetime

from django.utils import timezone

from district.demo import ensure
from district.models import District
from roles.demo import link_person
from roles.models import Responsibility, Role

from .models import (
    ChecklistItem,
    Decision,
    DecisionKind,
    DecisionPolicy,
    PrivacyStatus,
    Verdict,
)
from .workflow import CheckAnswer, create_decision, record_review, submit_decision

ROW = "Approving teacher requests for digital tools"
KIND = "Digital content"
# Role code: checklist items, in order.
CHECKLISTS = {
    "CAO": ["Standards alignment", "Instructional value"],
    "CTO": ["Interoperability standards", "Data privacy agreement", "Security"],
}
REVIEWERS = {"cao": "Priya Pemberton", "cto": "Lena Lockwood"}


def build_decisions(*, district: District, users: dict, acting_user) -> None:
    """The demo's decision policy, kind, checklists and three requests."""
    if district.slug != "cps":
        return
    for username, name in REVIEWERS.items():
        link_person(district, name, users[username], acting_user)
    ensure(
        DecisionPolicy,
        acting_user=acting_user,
        district=district,
        defaults={"target_working_days": 10, "publish_register": True},
    )
    kind = ensure(
        DecisionKind,
        acting_user=acting_user,
        district=district,
        name=KIND,
        defaults={
            "description": "Apps, platforms and digital materials used with students.",
            "is_tool": True,
        },
    )
    roles = {role.code: role for role in Role.objects.filter(district=district)}
    for code, texts in CHECKLISTS.items():
        for order, text in enumerate(texts, start=1):
            ensure(
                ChecklistItem,
                acting_user=acting_user,
                district=district,
                kind=kind,
                role=roles[code],
                text=text,
                defaults={"sort_order": order},
            )
    row = Responsibility.objects.get(district=district, name=ROW)
    now = timezone.now()
    editor, cao, cto = users["editor"], users["cao"], users["cto"]

    def request(title, product, vendor, teacher, description, privacy, days_ago):
        if Decision.objects.filter(district=district, title=title).exists():
            return None
        filed = now - datetime.timedelta(days=days_ago)
        decision = create_decision(
            district=district,
            acting_user=editor,
            title=title,
            kind=kind,
            responsibility=row,
            description=description,
            requested_for=teacher,
            product=product,
            vendor=vendor,
            privacy_status=privacy,
            at=filed,
        )
        return submit_decision(
            decision=decision,
            acting_user=editor,
            at=filed + datetime.timedelta(hours=1),
        )

    def review(decision, code, user, verdict, rationale, days_ago, conditions=""):
        key = decision.reviews.get(role__code=code, round=decision.round)
        record_review(
            review=key,
            acting_user=user,
            verdict=verdict,
            rationale=rationale,
            conditions=conditions,
            checks={
                check.pk: CheckAnswer(verdict != Verdict.DECLINE or n == 0)
                for n, check in enumerate(key.checks.all())
            },
            at=now - datetime.timedelta(days=days_ago),
        )

    reading = request(
        "Reading app for third-grade small groups",
        "LeafLine Reader",
        "LeafLine Learning",
        "Ms. Ortega, third-grade teacher",
        "Levelled e-books with read-aloud, for guided reading groups.",
        PrivacyStatus.AGREEMENT_SIGNED,
        days_ago=20,
    )
    if reading is not None:
        review(
            reading,
            "CTO",
            cto,
            Verdict.APPROVE_WITH_CONDITIONS,
            "Roster sync uses OneRoster; the vendor signed the data privacy agreement.",
            days_ago=15,
            conditions="Students sign in through the district's single sign-on only; "
            "no student e-mail addresses are collected.",
        )
        review(
            reading,
            "CAO",
            cao,
            Verdict.APPROVE,
            "Texts are levelled to the state reading standards; fits guided reading.",
            days_ago=13,
        )
    quiz = request(
        "Quiz game for review lessons",
        "QuizBlitz",
        "Blitz Games Inc.",
        "Mr. Haddad, seventh-grade science teacher",
        "A live quiz game for end-of-unit review.",
        PrivacyStatus.AGREEMENT_PENDING,
        days_ago=12,
    )
    if quiz is not None:
        review(
            quiz,
            "CTO",
            cto,
            Verdict.DECLINE,
            "The vendor will not sign the data privacy agreement and shares usage "
            "data with advertisers.",
            days_ago=8,
        )
    request(
        "Phonics practice app for kindergarten",
        "SoundSteps Phonics",
        "SoundSteps",
        "Ms. Nguyen, kindergarten teacher",
        "Daily phonics practice on classroom tablets.",
        PrivacyStatus.AGREEMENT_SIGNED,
        days_ago=18,
    )
    phonics = Decision.objects.get(
        district=district, title="Phonics practice app for kindergarten"
    )
    if phonics.reviews.filter(role__code="CAO", verdict="").exists():
        review(
            phonics,
            "CAO",
            cao,
            Verdict.APPROVE,
            "Systematic phonics sequence aligned to the foundational skills standards.",
            days_ago=16,
        )
