"""Demo stakeholder register and engagement log.

Over 400 lines because most of it is data: the register's stakeholders, their scores and their
meetings, written out so the demo reads like a real initiative's."""

import datetime

from django.utils import timezone

from .models import ConcernTheme, Engagement, Stakeholder
from .services import engagement_record_logged, stakeholder_assess

# name, organisation, type, areas, history of (days ago, interest, influence, reason)
STAKEHOLDERS = [
    (
        "Cllr Joan Avery",
        "Harbridge Borough Council",
        "elected_member",
        ["eastfield"],
        [(150, 4, 5, "Ward councillor for Eastfield; raised dealing at full council.")],
    ),
    (
        "Cllr Marcus Webb",
        "Harbridge Borough Council",
        "elected_member",
        ["canal-quarter"],
        [
            (150, 3, 5, "Cabinet member for community safety."),
            (40, 4, 5, "Asked for monthly briefings after the arrest day."),
        ],
    ),
    (
        "Revd Sarah Lowe",
        "St Mary's Church, Eastfield",
        "faith_group",
        ["eastfield"],
        [(140, 4, 3, "Runs the food bank; hears residents' worries every week.")],
    ),
    (
        "Imran Qureshi",
        "Canal Quarter Mosque",
        "faith_group",
        ["canal-quarter"],
        [(140, 3, 3, "Chairs the mosque committee; youth programme on Fridays.")],
    ),
    (
        "Denise Carter",
        "Eastfield Tenants' and Residents' Association",
        "resident_group",
        ["eastfield"],
        [
            (150, 5, 3, "Organised the petition about the Parade."),
            (30, 5, 4, "Now sits on the housing association's board."),
        ],
    ),
    (
        "Paul Nwosu",
        "Harbridge Drug and Alcohol Team",
        "partner_professional",
        [],
        [(150, 5, 4, "Commissions the fast-track treatment places.")],
    ),
    (
        "Inspector Claire Dunn",
        "Harbridge Neighbourhood Policing",
        "partner_professional",
        ["eastfield", "canal-quarter"],
        [(150, 5, 5, "Leads the neighbourhood teams delivering the operation.")],
    ),
    (
        "Head teacher",
        "Eastfield Primary School",
        "community_leader",
        ["eastfield"],
        [(120, 4, 3, "Parents report dealing near the school gate.")],
    ),
    (
        "Lock Lane Residents' Group",
        "",
        "resident_group",
        ["canal-quarter"],
        [(130, 4, 2, "Active WhatsApp group; reports incidents.")],
    ),
    (
        "Meadow Way Neighbourhood Watch",
        "",
        "resident_group",
        ["eastfield"],
        [(120, 3, 2, "Small but regular at PACT meetings.")],
    ),
    (
        "Spinney Walk Allotment Society",
        "",
        "community_leader",
        ["eastfield"],
        [
            (160, 1, 1, "No contact about drugs so far."),
            (70, 2, 1, "Mentioned needles near the sheds."),
            (12, 4, 2, "Found drug litter twice; members asking what is being done."),
        ],
    ),
    (
        "Eastfield Youth Club",
        "Harbridge Youth Service",
        "youth_group",
        ["eastfield"],
        [(110, 4, 2, "Youth workers worried about young people being recruited.")],
    ),
    (
        "Canal Quarter Boxing Club",
        "",
        "youth_group",
        ["canal-quarter"],
        [(100, 3, 2, "Coaches know the young people on the towpath.")],
    ),
    (
        "Wharf Street Traders",
        "",
        "local_business",
        ["canal-quarter"],
        [(120, 4, 2, "Shopkeepers report dealing in doorways.")],
    ),
    (
        "Eastfield Parade Pharmacy",
        "",
        "local_business",
        ["eastfield"],
        [(110, 3, 1, "Runs the needle exchange; sees the market close up.")],
    ),
    (
        "Harbridge Herald",
        "Harbridge Herald",
        "media",
        [],
        [(150, 3, 4, "Local paper; covered the last operation.")],
    ),
    (
        "BBC Radio Harbridge",
        "BBC",
        "media",
        [],
        [(150, 2, 4, "Covers crime stories when there is an arrest day.")],
    ),
    (
        "Harbridge Community Radio",
        "",
        "media",
        ["northgate"],
        [(100, 2, 2, "Small audience; weekly community slot.")],
    ),
    (
        "Station Approach Hotel",
        "",
        "local_business",
        ["canal-quarter"],
        [(90, 2, 2, "Staff have noticed activity near the car park.")],
    ),
    (
        "Northgate Ward Panel",
        "",
        "neighbouring_area",
        ["northgate"],
        [(140, 2, 3, "Next to the operation area; displacement is a risk.")],
    ),
    (
        "Cllr Hannah Price",
        "Harbridge Borough Council",
        "neighbouring_area",
        ["northgate"],
        [(140, 2, 4, "Northgate councillor; chairs licensing.")],
    ),
    (
        "Riverside Housing",
        "Riverside Housing Association",
        "partner_professional",
        ["eastfield", "canal-quarter"],
        [(130, 2, 5, "Landlord of most Eastfield flats; tenancy enforcement.")],
    ),
    (
        "Probation Service",
        "Harbridge Probation Delivery Unit",
        "partner_professional",
        [],
        [(130, 2, 4, "Supervises people released after earlier operations.")],
    ),
    (
        "GP practice manager",
        "Eastfield Health Centre",
        "partner_professional",
        ["eastfield"],
        [(120, 2, 3, "Refers patients to treatment.")],
    ),
    (
        "Harbridge Chamber of Commerce",
        "",
        "local_business",
        [],
        [(130, 1, 4, "Town-wide business voice; little interest so far.")],
    ),
    (
        "Bus Station Manager",
        "Harbridge Buses",
        "local_business",
        ["northgate"],
        [(100, 2, 3, "CCTV at the bus station.")],
    ),
    (
        "Harbridge College",
        "",
        "community_leader",
        ["northgate"],
        [(110, 1, 3, "Large student population near Northgate.")],
    ),
    (
        "Foundry Court Residents",
        "",
        "resident_group",
        ["northgate"],
        [(100, 1, 2, "New block; no residents' group yet.")],
    ),
    (
        "Chapel Street Methodist Church",
        "",
        "faith_group",
        ["northgate"],
        [(90, 2, 1, "Lunch club for older people.")],
    ),
    (
        "Eastfield Bowls Club",
        "",
        "community_leader",
        ["eastfield"],
        [(90, 1, 1, "Members mostly live outside the estate.")],
    ),
    (
        "Mill Yard Studios",
        "",
        "local_business",
        ["canal-quarter"],
        [(80, 1, 2, "Artists' studios; mostly daytime.")],
    ),
    ("Harbridge Scouts", "", "youth_group", [], [(80, 1, 1, "No contact so far.")]),
    (
        "Harbridge Rotary Club",
        "",
        "community_leader",
        [],
        [(80, 2, 2, "Might fund diversionary activities.")],
    ),
]
THEMES = [
    "Dealing in the street",
    "Drug litter and needles",
    "Cuckooing of vulnerable tenants",
    "Fear of reprisals",
    "Young people being recruited",
    "Anti-social behaviour",
]


def load(demo) -> None:
    today = timezone.localdate()
    officer = demo.users.get("Communications officer")
    neighbourhood = demo.users.get("Neighbourhood team")
    themes = {name: ConcernTheme.objects.get_or_create(name=name)[0] for name in THEMES}
    register = {}
    for name, organisation, kind, areas, history in STAKEHOLDERS:
        slug = name.lower().replace(" ", ".").replace("'", "")
        is_media = kind == "media"
        stakeholder, created = Stakeholder.objects.get_or_create(
            name=name,
            organisation=organisation,
            defaults={
                "stakeholder_type": kind,
                "email": f"{slug}@example.org",
                "phone": "01632 960" + f"{len(register):03d}",
                "preferred_channel": "email",
                "lawful_basis": "consent" if is_media else "legitimate_interests",
                "consent_to_contact": True,
                "consent_recorded_on": today - datetime.timedelta(days=160),
                "newsletter_list": kind in ("partner_professional", "elected_member"),
            },
        )
        if created:
            stakeholder.areas.set([demo.areas[a] for a in areas])
            stakeholder.save()
        if not stakeholder.assessments.exists():
            for days_ago, interest, influence, reason in history:
                stakeholder_assess(
                    stakeholder=stakeholder,
                    interest=interest,
                    influence=influence,
                    reason=reason,
                    assessed_by=officer,
                    assessed_on=today - datetime.timedelta(days=days_ago),
                )
        register[name] = stakeholder

    meetings = [
        (
            "forum_meeting",
            "Eastfield PACT meeting",
            45,
            "eastfield",
            "Eastfield Community Centre",
            38,
            [
                "Cllr Joan Avery",
                "Revd Sarah Lowe",
                "Denise Carter",
                "Meadow Way Neighbourhood Watch",
            ],
            ["Dealing in the street", "Drug litter and needles"],
            "Send the tenants' association the arrest-day summary",
            10,
        ),
        (
            "forum_meeting",
            "Canal Quarter residents' forum",
            20,
            "canal-quarter",
            "Lock Lane Community Hall",
            22,
            ["Lock Lane Residents' Group", "Wharf Street Traders", "Imran Qureshi"],
            ["Fear of reprisals", "Anti-social behaviour"],
            "Ask Riverside Housing about door entry at Mill Yard",
            5,
        ),
        (
            "one_to_one",
            "Briefing for Cllr Webb",
            35,
            "canal-quarter",
            "Civic Centre",
            None,
            ["Cllr Marcus Webb"],
            [],
            "",
            None,
        ),
        (
            "presentation",
            "Presentation to Riverside Housing managers",
            60,
            "eastfield",
            "Riverside offices",
            14,
            ["Riverside Housing"],
            [],
            "",
            None,
        ),
        (
            "phone_call",
            "Call with Eastfield Primary head teacher",
            25,
            "eastfield",
            "",
            None,
            ["Head teacher"],
            [],
            "Send assembly materials on county lines",
            30,
        ),
    ]
    for (
        mode,
        title,
        days_ago,
        area,
        place,
        attendance,
        people,
        theme_names,
        follow_up,
        due_in,
    ) in meetings:
        occurred_on = today - datetime.timedelta(days=days_ago)
        engagement, created = Engagement.objects.get_or_create(
            title=title,
            defaults={
                "mode": mode,
                "occurred_on": occurred_on,
                "area": demo.areas[area],
                "operation": demo.operation,
                "place": place,
                "attendance_count": attendance,
                "issues_raised": "Residents asked how long the closures last and how to report safely.",
                "follow_up_action": follow_up,
                "follow_up_due": occurred_on + datetime.timedelta(days=due_in) if due_in else None,
            },
        )
        if created:
            engagement.stakeholders.set([register[p] for p in people])
            engagement.themes.set([themes[t] for t in theme_names])
            engagement_record_logged(engagement=engagement, user=officer)
    for days_ago, streets, doors, conversations, theme_names in [
        (29, "Larch Close\nMeadow Way", 140, 52, ["Dealing in the street", "Fear of reprisals"]),
        (
            28,
            "Lock Lane\nTowpath Row",
            95,
            31,
            ["Cuckooing of vulnerable tenants", "Drug litter and needles"],
        ),
    ]:
        title = f"Door-to-door after the arrest day ({streets.splitlines()[0]})"
        engagement, created = Engagement.objects.get_or_create(
            title=title,
            defaults={
                "mode": "door_to_door",
                "occurred_on": today - datetime.timedelta(days=days_ago),
                "area": demo.areas["eastfield" if "Larch" in streets else "canal-quarter"],
                "operation": demo.operation,
                "streets": streets,
                "doors_knocked": doors,
                "conversations": conversations,
                "issues_raised": "Relief at the closures; worry that dealers will come back.",
            },
        )
        if created:
            engagement.themes.set([themes[t] for t in theme_names])
            engagement_record_logged(engagement=engagement, user=neighbourhood)
    demo.say(f"{len(register)} stakeholders on the grid, with assessments and engagements")
