"""The demo programme: reset, load the sample contract, one user per role, synthetic data.
(``stars.demo.load`` then adds the case records, claims and SSDA903 returns.)

The programme is the synthetic tracker of ``stars.demo.synthetic`` (calibrated to the DN2
evaluation) imported through the same service as `stars import-tracker`; then invented
names, key workers and pipeline details are added so every page has something to show.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from django.core.management import call_command
from django.db import transaction
from rich.console import Console
from rich.progress import Progress

from stars.core.roles import Role
from stars.demo.synthetic import generate_programme
from stars.domain.contract.parsing import parse_contract
from stars.partnership.models import User
from stars.partnership.services import user_create
from stars.referrals.models import Child, ConsentCall, Enquiry, Referral
from stars.tracker.importer import tracker_import

DEMO_PASSWORD = "stars-demo-password"
DEMO_AS_OF = dt.date(2024, 11, 30)  # the evaluation's census date
# Invented names for the synthetic children (no real child is named here).
GIVEN = [
    "Alex",
    "Sam",
    "Jordan",
    "Casey",
    "Riley",
    "Morgan",
    "Taylor",
    "Jamie",
    "Charlie",
    "Robin",
    "Frankie",
    "Billie",
    "Harley",
    "Rowan",
    "Skye",
    "Remy",
    "Ellis",
    "Quinn",
]
FAMILY = [
    "Ashdown",
    "Brackley",
    "Corrington",
    "Dunmore",
    "Elmsworth",
    "Fallowfield",
    "Greystoke",
    "Hollinby",
    "Ivesley",
    "Juniper",
    "Kestley",
    "Larchmont",
    "Marbury",
    "Northam",
    "Oakridge",
    "Pennyfold",
    "Quarrie",
    "Rushworth",
    "Stonebury",
    "Thistleby",
]
KEY_WORKERS = ("keyworker", "keyworker2", "keyworker3")


# Invented names for the demo users, so that two key workers (or two SPOCs) can be told
# apart on every page; the n-th user gets the n-th first name and the n-th family name.
DEMO_FIRST_NAMES = (
    "Alex", "Bea", "Cal", "Dana", "Eli", "Fern", "Gus", "Hana", "Ira", "Jude", "Kit", "Lena",
    "Milo", "Nia", "Otto", "Pia", "Quin", "Rae", "Seb", "Tess", "Uma", "Vic", "Wren", "Yara",
)  # fmt: skip
DEMO_FAMILY_NAMES = (
    "Ashdown", "Brightwell", "Cresswell", "Dunmore", "Elsworth", "Farrow", "Greaves", "Holloway",
    "Ingham", "Jessop", "Kettering", "Lowther", "Marchbank", "Northcott", "Oakes", "Pennick",
    "Quarrie", "Redfern", "Stainton", "Thackeray", "Underhill", "Varley", "Whitlock", "Yeadon",
)  # fmt: skip


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    council: str
    first_name: str = ""
    last_name: str = ""


def demo_users(council_codes: tuple[str, ...]) -> list[DemoUser]:
    """One user per role (and a SPOC and a commissioner per further council), each with a
    name of their own."""
    first = council_codes[0]
    roles = [
        ("spoc", Role.SPOC, first),
        ("commissioner", Role.COMMISSIONER, first),
        ("manager", Role.PROVIDER_MANAGER, ""),
        *[(k, Role.KEY_WORKER, "") for k in KEY_WORKERS],
        ("investor", Role.INVESTOR, ""),
        ("evaluator", Role.EVALUATOR, ""),
        ("admin", Role.ADMIN, ""),
    ] + [
        u
        for c in council_codes[1:]
        for u in ((f"spoc-{c}", Role.SPOC, c), (f"commissioner-{c}", Role.COMMISSIONER, c))
    ]
    n = len(DEMO_FIRST_NAMES)
    return [
        DemoUser(
            username,
            DEMO_PASSWORD,
            role,
            council,
            DEMO_FIRST_NAMES[i % n],
            DEMO_FAMILY_NAMES[(i + i // n) % len(DEMO_FAMILY_NAMES)],
        )
        for i, (username, role, council) in enumerate(roles)
    ]


def demo_users_create(council_codes: tuple[str, ...]) -> list[DemoUser]:
    users = demo_users(council_codes)
    for u in users:
        user_create(
            username=u.username,
            role=u.role,
            council=u.council or None,
            password=u.password,
            first_name=u.first_name,
            last_name=u.last_name,
        )
    return users


def programme_load(
    *, contract_path: Path, seed: int, console: Console, n_referrals: int = 228
) -> list[DemoUser]:
    """Reset the database, import the synthetic programme, create the demo users."""
    text = contract_path.read_text(encoding="utf-8")
    terms = parse_contract(text, str(contract_path))
    with Progress(console=console) as progress:
        task = progress.add_task("Resetting the database", total=5)
        call_command("flush", interactive=False, verbosity=0)
        progress.update(task, advance=1, description="Generating the synthetic programme")
        programme = generate_programme(terms, n_referrals=n_referrals, as_of=DEMO_AS_OF, seed=seed)
        progress.update(task, advance=1, description="Importing it")
        tracker_import(
            contract_text=text,
            contract_source=str(contract_path),
            enquiries=programme.enquiries,
            referrals=programme.referrals,
            periods=programme.periods,
        )
        progress.update(task, advance=1, description="Creating demo users")
        users = demo_users_create(terms.council_codes)
        progress.update(task, advance=1, description="Adding names, key workers and calls")
        _enrich(seed, terms.consent_call_start)
        progress.update(task, advance=1, description="Demo ready")
    return users


@transaction.atomic
def _enrich(seed: int, consent_start: dt.date | None) -> None:
    rng = random.Random(seed)
    children = list(Child.objects.all())
    for c in children:
        c.given_name, c.family_name = rng.choice(GIVEN), rng.choice(FAMILY)
    Child.objects.bulk_update(children, ["given_name", "family_name"], batch_size=500)
    workers = list(User.objects.filter(username__in=KEY_WORKERS).order_by("username"))
    live = list(Referral.objects.filter(status="live").order_by("referral_id"))
    for i, r in enumerate(live):
        r.key_worker = workers[i % len(workers)]
    Referral.objects.bulk_update(live, ["key_worker"], batch_size=500)
    enquiries = list(Enquiry.objects.all())
    calls = []
    for e in enquiries:
        e.papers = sorted(
            rng.sample(
                ["care_plan", "education_plan", "chronology"],
                k=3 if e.decision != "pending" else rng.randint(0, 2),
            )
        )
        e.social_worker = f"Social worker {rng.randint(1, 60)}"
        e.team = rng.choice(["Children in care", "Fostering", "Edge of care", "Reunification"])
        e.last_activity = e.decision_date or e.enquiry_date
        if (
            consent_start
            and e.decision == "progressed"
            and e.enquiry_date >= consent_start
            and e.decision_date
        ):
            calls.append(
                ConsentCall(
                    enquiry=e,
                    call_date=e.decision_date,
                    spoke_to=rng.choice(["mother", "father", "foster carer"]),
                    outcome="agreed",
                )
            )
    Enquiry.objects.bulk_update(
        enquiries, ["papers", "social_worker", "team", "last_activity"], batch_size=500
    )
    ConsentCall.objects.bulk_create(calls)
