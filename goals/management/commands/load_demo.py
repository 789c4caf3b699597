"""manage.py load_demo: build the demo district "Chicago Public Schools" (slug cps).

Real structure and results from data/cps (see data/cps/README.md): 17 geographic
networks ("Network 1" to "Network 17") and the non-geographic groups ISP, Options,
Charter, AUSL and Contract; 660 schools; school-level measurements of seven metrics for
2014-15 to 2017-18. Rows of schools that closed before 2018-19 (not in schools.csv) are
skipped and counted. Suspension values above 100 per 100 students are kept: a student
can be suspended more than once, and `unit_range_error` allows any rate that is not
negative.

Invented: the people (all fictional, with example.org addresses), the cabinet's roles
and assignments (one acting: the CTO; one succession: the CAO), the ownership matrix and
the goals' targets. Facts to check the matrix page against:

- 6 work areas, 36 responsibilities, 9 roles (SUPT, CEDO, CAO, CSO, CTO, CIO, COS
  cabinet; NC network chief, held by one person per geographic network; CTL under the
  CAO).
- Joint (declared joint, two or more accountable), 7: "Strategic plan and theory of
  action" (SUPT, CEDO, CAO, CSO), "Yearly district priorities" (CEDO, CAO, CSO),
  "District goals and targets" (SUPT, CAO, CSO), "Student outcomes" (CEDO, CAO, CSO),
  "Teacher and leader development" (CAO, CSO), "Non-negotiables of the instructional
  vision" (CAO, CSO, CEDO), "Instructional technology procurement and rollout" (CAO, CTO).
- Gap (nobody accountable), 1: "Selecting digital content" (CAO R, CTO R, CIO C, CSO C,
  CTL C).
- Conflict (several accountable, not declared joint), 1: "School data dashboards" (CIO A,
  CSO A).
- Distinct (one accountable), the other 27; every row with an accountable role also has
  a responsible one, so no row warns of a missing R.
- Accountable rows per role: CSO 17, CAO 14, SUPT 5, CEDO 5, CTO 4, CIO 4. The mean over
  those six is 8.17, so at the default overload ratio of 2 the CSO (17 > 16.33) is
  overloaded.
- "Approving teacher requests for digital tools" (CAO A, CTL R, CTO C, CIO I) is the
  row of the demo's two-key decisions (decisions/demo.py): the CAO and the CTO each
  hold a key.

Goals: "Every student in school, every day" (CSO: student and teacher attendance),
"Every student graduates ready for college and career" (CAO and CSO: freshmen on track,
4-year graduation, college enrollment, one-year dropout), "Safe and supportive schools"
(CSO and CEDO: suspensions per 100 students). See goals/demo.py for units, directions,
aggregations and how baselines and targets are computed.

The live school year: the school year running today, with a weekly attendance series
for every school up to the week before the last one that has ended, simulated from each
school's real 2017-18 rate ("Student attendance, weekly (simulated)", marked simulated
on every page that shows it). Loading the demo again on a later day adds the weeks since. The chief
of staff (the editor login) is its update owner: the last week that has ended is left
for them, and My updates shows its values and commentary as owed (due the Monday after
the Friday it ends).

Tiers (tiers/demo.py): three tiers with their monitoring cadence and autonomies, three
tier rules for 2017-18 (not adopted: adopting them is the first thing to try), three
supports, and no principals (the CPS data names none).

Logins: admin (superuser), editor (editor of the district, staff, the chief of staff's
person), viewer (viewer, not staff, the superintendent's person), cao and cto (editors,
not staff, the chief academic officer's and the acting chief technology officer's
people, who review two-key decisions), chief (editor, not staff, the person of Network
11's chief); their password comes from --password or the environment variable
LANES_DEMO_PASSWORD. The command (re)sets these users' passwords: never run it against
a production database.
"""

import os
import time
from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from district.demo import (
    DISTRICT_NAME,
    DISTRICT_SLUG,
    LOGIN_URL,
    ensure_district,
    ensure_logins,
    load_schools,
    run_demo_steps,
)
from district.models import District, Membership, Network, Person, School
from district.write_paths import WritePath, writing_through
from goals.demo import (
    build_goals,
    build_links,
    build_live_year,
)
from goals.models import Goal, Measurement, Metric, Target
from roles.demo import build_cabinet, build_matrix, link_person
from roles.models import Ownership, Responsibility, Role, RoleAssignment, WorkArea

# What the summary counts, by label.
COUNTED = {
    "networks": Network,
    "schools": School,
    "roles": Role,
    "people": Person,
    "role assignments": RoleAssignment,
    "work areas": WorkArea,
    "responsibilities": Responsibility,
    "ownerships": Ownership,
    "goals": Goal,
    "metrics": Metric,
    "targets": Target,
    "measurements": Measurement,
    "members": Membership,
}


class Command(BaseCommand):
    help = (
        'Build the demo district "Chicago Public Schools" (slug cps) from data/cps, '
        "with demo logins admin, editor and viewer. Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help="Password of the demo logins (default: $LANES_DEMO_PASSWORD).",
        )

    def handle(self, *args, **options):
        password = options["password"] or os.environ.get("LANES_DEMO_PASSWORD", "")
        source = "--password" if options["password"] else "LANES_DEMO_PASSWORD"
        if not password:
            raise CommandError(
                "Give the demo logins a password: --password P, or set "
                "LANES_DEMO_PASSWORD."
            )
        started = time.perf_counter()
        before = self.counts()
        with transaction.atomic(), writing_through(WritePath.IMPORT):
            users = ensure_logins(password)
            admin = users["admin"]
            district = ensure_district(users)
            load_schools(district, admin)
            roles = build_cabinet(district, admin)
            link_person(district, "Nadia Northrup", users["editor"], admin)
            link_person(district, "Marisol Meadows", users["viewer"], admin)
            build_matrix(district, roles, admin)
            measurements = build_goals(district, roles, admin)
            live = build_live_year(
                district,
                roles,
                admin,
                today=timezone.localdate(),
                # The chief of staff (the editor login) owes the weekly updates.
                update_owner=Person.objects.get(
                    district=district, user=users["editor"]
                ),
            )
            build_links(district, admin)
            run_demo_steps(district=district, users=users, acting_user=admin)
        after = self.counts()

        self.stdout.write(f"{DISTRICT_NAME} ({DISTRICT_SLUG}) is ready:")
        for label, total in after.items():
            self.stdout.write(
                f"  {label:<17} {total:>6}  ({total - before[label]} new)"
            )
        # Each skipped row is named by the column at fault; an unknown school_id is a
        # school that closed before 2018-19 and so is not in schools.csv.
        reasons = Counter(error.column or "row" for error in measurements.errors)
        detail = ", ".join(f"{count} for {column}" for column, count in reasons.items())
        self.stdout.write(
            f"  {'skipped rows':<17} {measurements.skipped:>6}"
            + (f"  (measurements: {detail})" if detail else "")
        )
        self.stdout.write(
            f"  {'simulated weeks':<17} {live.created + live.updated:>6}  "
            "(new or changed weekly attendance values of this school year)"
        )
        self.stdout.write(
            f"Log in at {LOGIN_URL} as admin, editor, viewer, cao, cto or chief with "
            f"the password from {source}. ({time.perf_counter() - started:.1f} s)"
        )

    def counts(self) -> dict[str, int]:
        district = District.objects.filter(slug=DISTRICT_SLUG).first()
        return {
            label: model.objects.filter(district=district).count() if district else 0
            for label, model in COUNTED.items()
        }
