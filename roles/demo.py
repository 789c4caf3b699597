"""The demo district's cabinet and ownership matrix (see `district.demo`).

The roles follow Chicago's structure (the CSO reports to the chief education officer,
network chiefs report to the CSO); the people are invented. The matrix is written
from what real cabinets' matrices hold, with the faults a real matrix
has: one row nobody is accountable for, one row two roles each believe they own, and a
CSO accountable for far more rows than anyone else. The facts to check the matrix page
against are in the docstring of goals/management/commands/load_demo.py.
"""

import datetime

from district.demo import ensure
from district.models import District, Network, Person

from .models import Ownership, Responsibility, Role, RoleAssignment, RoleKind, WorkArea

# code: (title, kind, reports to, sort order)
ROLES = {
    "SUPT": ("Chief Executive Officer (superintendent)", RoleKind.CABINET, None, 1),
    "CEDO": ("Chief Education Officer", RoleKind.CABINET, "SUPT", 2),
    "CAO": ("Chief Academic Officer", RoleKind.CABINET, "CEDO", 3),
    "CSO": ("Chief Schools Officer", RoleKind.CABINET, "CEDO", 4),
    "CTO": ("Chief Technology Officer", RoleKind.CABINET, "SUPT", 5),
    "CIO": ("Chief Information Officer", RoleKind.CABINET, "SUPT", 6),
    "COS": ("Chief of Staff", RoleKind.CABINET, "SUPT", 7),
    "NC": ("Network chief", RoleKind.NETWORK_CHIEF, "CSO", 1),
    "CTL": ("Chief of Teaching and Learning", RoleKind.OTHER, "CAO", 1),
}

# Invented people: (name, title, role code, started, ended, acting).
CABINET_PEOPLE = [
    ("Marisol Meadows", "Chief Executive Officer", "SUPT", (2015, 7, 1), None, False),
    ("Desmond Dunmore", "Chief Education Officer", "CEDO", (2015, 7, 1), None, False),
    (
        "Howard Hensley",
        "Former Chief Academic Officer",
        "CAO",
        (2012, 7, 1),
        (2016, 6, 30),
        False,
    ),
    ("Priya Pemberton", "Chief Academic Officer", "CAO", (2016, 7, 1), None, False),
    ("Terrence Thornbury", "Chief Schools Officer", "CSO", (2015, 7, 1), None, False),
    (
        "Lena Lockwood",
        "Chief Technology Officer (acting)",
        "CTO",
        (2018, 1, 15),
        None,
        True,
    ),
    ("Samuel Sterling", "Chief Information Officer", "CIO", (2014, 7, 1), None, False),
    ("Nadia Northrup", "Chief of Staff", "COS", (2016, 7, 1), None, False),
    (
        "Gwen Galbraith",
        "Chief of Teaching and Learning",
        "CTL",
        (2016, 9, 1),
        None,
        False,
    ),
]

# One invented chief per geographic network, "Network 1" to "Network 17".
NETWORK_CHIEFS = [
    "Aaliyah Abernathy",
    "Bernard Bellweather",
    "Camila Castlebury",
    "Darnell Dewhurst",
    "Elena Everly",
    "Farid Fairweather",
    "Gloria Greenhalgh",
    "Hector Hollingsworth",
    "Imani Ingleby",
    "Julian Jessop",
    "Keisha Kettleburn",
    "Luis Larkspur",
    "Monique Merriweather",
    "Nathaniel Nettlefold",
    "Olivia Oakenshaw",
    "Patrice Penrose",
    "Quentin Quillfeather",
]
CHIEFS_SINCE = datetime.date(2017, 7, 1)

# Work areas: (name, description, rows); a row is (name, declared joint, levels,
# description), levels written "ROLE:LEVEL ...".
# fmt: off
MATRIX = [
    (
        "Strategy and joint work",
        "Work the CAO and CSO own together, often with the chief education officer.",
        [
            ("Strategic plan and theory of action", True, "SUPT:A CEDO:A CAO:A CSO:A COS:R CIO:C CTO:I",
             "The multi-year plan and the theory of action that ties what is taught to how schools are led."),
            ("Yearly district priorities", True, "CEDO:A CAO:A CSO:A COS:R SUPT:C CIO:C CTO:C NC:I",
             "The few priorities each school year is organized around."),
            ("District goals and targets", True, "SUPT:A CAO:A CSO:A CIO:R COS:R NC:I",
             "Shared goals, their metrics, baselines and yearly targets."),
            ("Student outcomes", True, "CEDO:A CAO:A CSO:A NC:R CIO:C SUPT:I",
             "Answering together for attendance, freshmen on track, graduation and college enrollment."),
            ("Teacher and leader development", True, "CAO:A CSO:A NC:R CTL:C CEDO:C",
             "One path from content training for teachers to leadership training for principals."),
            ("Non-negotiables of the instructional vision", True, "CAO:A CSO:A CEDO:A COS:R SUPT:C NC:C",
             "The few practices every school keeps, whatever its autonomy."),
        ],
    ),
    (
        "The instructional program",
        "What is taught, when and how: the CAO's lane.",
        [
            ("Curriculum and scope and sequence", False, "CAO:A CTL:R CSO:C NC:I",
             "What students learn in each grade and subject, and in what order."),
            ("Instructional materials and their adoption", False, "CAO:A CTL:R CTO:C CSO:C",
             "Choosing core materials, more and more often modular digital and open resources, and planning their adoption."),
            ("Benchmark and adaptive assessments", False, "CAO:A CTL:R CIO:C CSO:C NC:I",
             "Designing the assessment calendar and the benchmark and adaptive tests."),
            ("Content-area experts", False, "CAO:A CTL:R CSO:C",
             "A team of experts per subject, and what they coach."),
            ("Standards review of digital content", False, "CAO:A CTL:R CTO:I",
             "Checking that digital content is aligned to the standards and worth students' time."),
            ("Professional learning on content", False, "CAO:A CTL:R CSO:C NC:C",
             "Training teachers and coaches in the curriculum and its materials."),
        ],
    ),
    (
        "Schools and principals",
        "Principal quality and school performance: the CSO's lane.",
        [
            ("Supervising network chiefs", False, "CSO:A NC:R CEDO:I",
             "Hiring, directing and evaluating the chiefs who supervise principals."),
            ("Weekly coaching conversations with network chiefs", False, "CSO:A NC:R CIO:C CAO:I",
             "A data-led conversation each week about each network's schools."),
            ("Principal recruitment and selection", False, "CSO:A NC:R CAO:C COS:I",
             "Finding and choosing principals, with the local school councils."),
            ("Principal evaluation", False, "CSO:A NC:R CEDO:I",
             "Yearly evaluation of every principal against the district's standards."),
            ("Principal development and succession", False, "CSO:A NC:R CAO:C",
             "Growing assistant principals and planning who follows whom."),
            ("Fidelity to the instructional vision", False, "CSO:A NC:R CAO:C CTL:C",
             "Seeing that the program is taught as designed, and holding schools to it."),
            ("Allocating supports to schools by need", False, "CSO:A NC:R CAO:C CTL:C",
             "Tiered support: content experts and coaching where results lag, earned autonomy for strong schools."),
            ("Escalations and emergencies from schools", False, "CSO:A NC:R COS:C SUPT:I",
             "The route for urgent problems from a school to the cabinet."),
            ("Compliance liaison with operations support", False, "CSO:A NC:R COS:C",
             "Working with the operations support centers on schools' compliance."),
            ("Keeping principals and stakeholders informed", False, "CSO:A NC:R COS:C CAO:I",
             "Regular word to principals, councils and families on what changes and why."),
        ],
    ),
    (
        "Systems and data",
        "Interoperability, data security, infrastructure and data feeds: the CTO's and CIO's lanes.",
        [
            ("Interoperability standards", False, "CTO:A CIO:R CAO:C",
             "Standards that let learning platforms, the student information system and the data warehouse exchange data."),
            ("Data security and privacy review", False, "CIO:A CTO:R CAO:I",
             "Reviewing what student data a product or vendor collects, where it goes and how it is protected."),
            ("Devices, network and infrastructure", False, "CTO:A CIO:R CSO:C NC:I",
             "Student and staff devices, school networks and the systems behind them."),
            ("Real-time data feeds for the academic side", False, "CIO:A CTO:R CAO:C CSO:C",
             "Attendance, grades and assessment results flowing to the people who act on them."),
            ("Student information system and data warehouse", False, "CIO:A CTO:R CSO:I",
             "Running the systems of record and the warehouse reports come from."),
            ("Technical review in procurement", False, "CTO:A CIO:R CAO:C COS:I",
             "The technical half of buying: architecture, integration and security terms."),
        ],
    ),
    (
        "Two-way decisions",
        "Decisions that need sign-off from more than one lane.",
        [
            ("Selecting digital content", False, "CAO:R CTO:R CIO:C CSO:C CTL:C",
             "Needs the CAO's review of standards and instructional value and the CTO's review of interoperability and data security; who decides is not agreed."),
            ("Instructional technology procurement and rollout", True, "CAO:A CTO:A CIO:R CSO:C",
             "What to buy and how to bring it to schools, decided together."),
            ("School data dashboards", False, "CIO:A CSO:A NC:R CAO:C",
             "The CIO sees a data system, the CSO the tool of coaching conversations; each believes it is theirs."),
            ("Approving teacher requests for digital tools", False, "CAO:A CTL:R CTO:C CIO:I",
             "A teacher's request for an app: the CAO reviews standards and instructional value, the CTO interoperability, data privacy and security."),
        ],
    ),
    (
        "Cabinet and board",
        "The superintendent's office, run with the chief of staff.",
        [
            ("Board relations and the district's vision", False, "SUPT:A COS:R CEDO:C",
             "Working with the board of education and keeping the vision in front of it."),
            ("Cabinet agenda and meeting briefs", False, "SUPT:A COS:R CAO:C CSO:C CTO:I CIO:I",
             "What the cabinet reviews each week, off-track work first."),
            ("Cabinet succession and acting appointments", False, "SUPT:A COS:R CEDO:C",
             "Who steps in when a cabinet seat is vacant, and for how long."),
            ("Public reporting of school results", False, "CEDO:A CIO:R CSO:C CAO:C COS:C",
             "The school progress reports and what the public sees of them."),
        ],
    ),
]
# fmt: on


def build_cabinet(district: District, acting_user) -> dict[str, Role]:
    """The demo's roles, the people holding them, and the network chiefs."""
    roles = {}
    for code, (title, kind, _reports_to, sort_order) in ROLES.items():
        roles[code] = ensure(
            Role,
            acting_user=acting_user,
            district=district,
            code=code,
            defaults={"title": title, "kind": kind, "sort_order": sort_order},
        )
    for code, (_title, _kind, reports_to, _sort_order) in ROLES.items():
        if reports_to:
            ensure(
                Role,
                acting_user=acting_user,
                district=district,
                code=code,
                defaults={"reports_to": roles[reports_to]},
            )
    for name, title, code, started, ended, is_acting in CABINET_PEOPLE:
        person = _ensure_person(district, name, title, acting_user)
        ensure(
            RoleAssignment,
            acting_user=acting_user,
            district=district,
            role=roles[code],
            person=person,
            started_on=datetime.date(*started),
            defaults={
                "ended_on": datetime.date(*ended) if ended else None,
                "is_acting": is_acting,
            },
        )
    networks = {
        network.name: network
        for network in Network.objects.filter(district=district, is_geographic=True)
    }
    for number, name in enumerate(NETWORK_CHIEFS, start=1):
        network = networks[f"Network {number}"]
        person = _ensure_person(district, name, f"Chief of {network.name}", acting_user)
        ensure(
            RoleAssignment,
            acting_user=acting_user,
            district=district,
            role=roles["NC"],
            person=person,
            started_on=CHIEFS_SINCE,
        )
        ensure(
            Network, acting_user=acting_user, pk=network.pk, defaults={"chief": person}
        )
    return roles


def _ensure_person(district: District, name: str, title: str, acting_user) -> Person:
    email = name.lower().replace(" ", ".") + "@example.org"
    return ensure(
        Person,
        acting_user=acting_user,
        district=district,
        name=name,
        defaults={"title": title, "email": email},
    )


def link_person(district: District, name: str, user, acting_user) -> None:
    """Make the demo person `name` the person of the Lanes user `user`."""
    ensure(
        Person,
        acting_user=acting_user,
        district=district,
        name=name,
        defaults={"user": user},
    )


def build_matrix(district: District, roles: dict[str, Role], acting_user) -> None:
    """The work areas, responsibilities and ownerships of `MATRIX`."""
    for area_order, (area_name, area_description, rows) in enumerate(MATRIX, start=1):
        area = ensure(
            WorkArea,
            acting_user=acting_user,
            district=district,
            name=area_name,
            defaults={"description": area_description, "sort_order": area_order},
        )
        for row_order, (name, is_joint, levels, description) in enumerate(
            rows, start=1
        ):
            responsibility = ensure(
                Responsibility,
                acting_user=acting_user,
                district=district,
                work_area=area,
                name=name,
                defaults={
                    "description": description,
                    "is_joint": is_joint,
                    "sort_order": row_order,
                },
            )
            for code, level in parse_levels(levels).items():
                ensure(
                    Ownership,
                    acting_user=acting_user,
                    district=district,
                    responsibility=responsibility,
                    role=roles[code],
                    defaults={"level": level},
                )


def parse_levels(levels: str) -> dict[str, str]:
    """ "CAO:A CSO:C" as {"CAO": "A", "CSO": "C"}."""
    return dict(cell.split(":") for cell in levels.split())
