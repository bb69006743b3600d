"""Demo areas and operation for the fictional town of Harbridge."""

import datetime

from django.utils import timezone
from signpost import roles

from .models import Area, Operation

AREAS = [
    {
        "name": "Eastfield",
        "slug": "eastfield",
        "description": "Post-war estate east of the ring road, around Eastfield Parade shops.",
        "postcode_prefixes": "HB4 2, HB4 3",
        "streets": "Eastfield Parade\nCoronation Road\nLarch Close\nMeadow Way\nSpinney Walk",
        "household_count": 2140,
    },
    {
        "name": "Canal Quarter",
        "slug": "canal-quarter",
        "description": "Terraced streets and new flats between the canal and the railway station.",
        "postcode_prefixes": "HB1 5, HB1 6",
        "streets": "Wharf Street\nLock Lane\nTowpath Row\nStation Approach\nMill Yard",
        "household_count": 1585,
    },
    {
        "name": "Northgate",
        "slug": "northgate",
        "description": "Town-centre edge: Northgate high street, the bus station and nearby flats.",
        "postcode_prefixes": "HB2",
        "streets": "Northgate\nBus Station Square\nChapel Street\nFoundry Court",
        "household_count": 1870,
        "is_comparison_area": True,
    },
]


def load(demo) -> None:
    for row in AREAS:
        area, _ = Area.objects.update_or_create(slug=row["slug"], defaults=row)
        demo.areas[area.slug] = area

    today = timezone.localdate()
    operation, _ = Operation.objects.update_or_create(
        slug="operation-lantern",
        defaults={
            "name": "Operation Lantern",
            "start_date": today - datetime.timedelta(days=120),
            "arrest_day": today - datetime.timedelta(days=30),
            "end_date": today + datetime.timedelta(days=150),
            "public_summary": (
                "Police and partners are closing down open drug dealing around Eastfield Parade "
                "and the Canal Quarter, and offering fast-track treatment to people who use drugs."
            ),
        },
    )
    operation.areas.set([demo.areas["eastfield"], demo.areas["canal-quarter"]])
    demo.operation = operation
    demo.say(f"{len(AREAS)} areas and {operation.name}")
    _load_stakeholders(demo)
    load_communications(demo)


# --- Communication plan, activity calendar, newsroom, media enquiries ------------------

SPOKESPERSON = ("spokesperson", "Helen", "Marsh", "signpost-spokesperson")

# (mode, title, area slug or None, audience, every n months, day of month)
RECURRING_ACTIVITIES = [
    ("email_newsletter", "Email newsletter", None, "Residents signed up for updates", 1, 5),
    ("forum_meeting", "Eastfield community forum", "eastfield", "Consult quadrant", 1, 12),
    (
        "forum_meeting",
        "Canal Quarter residents' meeting",
        "canal-quarter",
        "Consult quadrant",
        2,
        19,
    ),
    ("leaflet_drop", "Leaflet drop, Eastfield", "eastfield", "Households", 3, 8),
    ("leaflet_drop", "Leaflet drop, Canal Quarter", "canal-quarter", "Households", 3, 9),
    ("presentation", "Progress presentation to partners", None, "Inform quadrant", 3, 22),
    ("one_to_one", "One-to-one with ward councillors", None, "Involve quadrant", 2, 26),
    ("press_release", "Press release on progress", None, "Local media", 3, 15),
]


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    return datetime.date(day.year + month_index // 12, month_index % 12 + 1, 1)


def _load_activities(demo, owner) -> int:
    from .models import Activity

    today = timezone.localdate()
    start = _add_months(today.replace(day=1), -6)
    count = 0
    for offset in range(12):
        month = _add_months(start, offset)
        for mode, title, area_slug, audience, every, day in RECURRING_ACTIVITIES:
            if offset % every:
                continue
            planned_on = month.replace(day=day)
            # The past is mostly delivered, a day or two late at times; two slipped.
            slipped = planned_on < today and (offset, day) in {(4, 12), (5, 8)}
            delivered_on = None
            if planned_on < today and not slipped:
                delivered_on = min(planned_on + datetime.timedelta(days=offset % 3), today)
            Activity.objects.update_or_create(
                title=f"{title} ({planned_on:%B %Y})",
                mode=mode,
                planned_on=planned_on,
                defaults={
                    "area": demo.areas.get(area_slug) if area_slug else None,
                    "operation": demo.operation,
                    "audience": audience,
                    "owner": owner,
                    "delivered_on": delivered_on,
                },
            )
            count += 1
    arrest_day = demo.operation.arrest_day
    for mode, title in (
        ("door_to_door", "Reassurance door-to-door calls"),
        ("removable_signs", "Removable signs at warrant addresses"),
    ):
        Activity.objects.update_or_create(
            title=f"{title}, {demo.operation.name}",
            mode=mode,
            planned_on=arrest_day,
            defaults={
                "area": demo.areas["eastfield"],
                "operation": demo.operation,
                "audience": "Residents near the warrant addresses",
                "owner": demo.users.get(roles.NEIGHBOURHOOD_TEAM),
                "delivered_on": arrest_day,
            },
        )
        count += 1
    return count


def _load_plan(demo):
    from .models import CommunicationPlanPage

    plan = CommunicationPlanPage.objects.child_of(demo.home).first()
    fields = {
        "aim": (
            "Reduce drug dealing and the harm it causes in Eastfield and the Canal Quarter by "
            "reassuring residents that reports are acted on, encouraging information through "
            "safe routes, and steering people who use drugs to fast-track treatment."
        ),
        "key_messages": [
            ("message", "Police and partners are closing down drug dealing in your area."),
            ("message", "Information from residents is acted on: tell us what you know."),
            ("message", "Help is available for anyone who uses drugs, fast and confidential."),
            ("message", "This is about dealing in the area, not about the people who live here."),
        ],
        "audience_notes": (
            "<p>Involve ward councillors and residents' association chairs one to one; consult "
            "forum regulars through meetings and surveys; inform neighbouring-area "
            "representatives and partner professionals by newsletter; watch the rest.</p>"
        ),
        "channels": [
            (
                "channel",
                {
                    "mode": "leaflet_drop",
                    "audience": "Households in operation areas",
                    "how_used": "After each arrest phase: what happened, how to report, where to get help.",
                },
            ),
            (
                "channel",
                {
                    "mode": "email_newsletter",
                    "audience": "Residents signed up",
                    "how_used": "Monthly update, and a short note after each operation.",
                },
            ),
            (
                "channel",
                {
                    "mode": "forum_meeting",
                    "audience": "Consult quadrant",
                    "how_used": "Standing item at each neighbourhood forum.",
                },
            ),
            (
                "channel",
                {
                    "mode": "door_to_door",
                    "audience": "Streets near warrant addresses",
                    "how_used": "On arrest days, to reassure and gather information.",
                },
            ),
            (
                "channel",
                {
                    "mode": "removable_signs",
                    "audience": "Passers-by",
                    "how_used": "Put up on warrant days, taken down within a week.",
                },
            ),
            (
                "channel",
                {
                    "mode": "press_release",
                    "audience": "Local media",
                    "how_used": "Only after sign-off, framed on the work, never on the community.",
                },
            ),
        ],
        "spokesperson_name": "Inspector Daniel Okafor",
        "spokesperson_role": "Initiative co-ordinator, Harbridge Police",
        "spokesperson_contact": "01632 960 200 · press@harbridge.example.org",
        "media_protocol": [
            (
                "rule",
                {
                    "subject": "Arrests, warrants and operational detail",
                    "answered_by": "Police press office",
                    "respond_within_hours": 2,
                },
            ),
            (
                "rule",
                {
                    "subject": "The initiative as a whole",
                    "answered_by": "Spokesperson (co-ordinator)",
                    "respond_within_hours": 4,
                },
            ),
            (
                "rule",
                {
                    "subject": "Treatment and recovery services",
                    "answered_by": "Harbridge Recovery Service",
                    "respond_within_hours": 24,
                },
            ),
            (
                "rule",
                {
                    "subject": "Housing and the estate",
                    "answered_by": "Borough council communications",
                    "respond_within_hours": 24,
                },
            ),
        ],
        "review_date": timezone.localdate() + datetime.timedelta(days=60),
    }
    if plan is None:
        plan = CommunicationPlanPage(
            title="Communication plan", slug="communication-plan", **fields
        )
        demo.home.add_child(instance=plan)
    else:
        for name, value in fields.items():
            setattr(plan, name, value)
    plan.save_revision(user=demo.users.get(roles.COMMUNICATIONS_OFFICER)).publish()
    return plan


RELEASES = [
    {
        "slug": "eastfield-parade-drug-dealing-arrests",
        "title": "Eleven arrested as partners close down dealing around Eastfield Parade",
        "summary": (
            "Police executed eleven warrants in Eastfield on the operation's arrest day, and "
            "the Recovery Service offered same-week treatment to everyone referred."
        ),
        "state": "published",
    },
    {
        "slug": "canal-quarter-residents-thanked",
        "title": "Canal Quarter residents thanked for information that closed two dealing sites",
        "summary": "Reports from residents led directly to two closure orders near the towpath.",
        "state": "in_review",
    },
    {
        "slug": "fast-track-treatment-six-months",
        "title": "Six months of fast-track treatment: 48 people helped into recovery",
        "summary": "The Recovery Service's fast-track route has taken referrals from every partner.",
        "state": "embargoed",
    },
]


def _load_newsroom(demo):
    from wagtail.models import Page

    from .models import NewsroomPage, PressReleasePage

    comms = demo.users.get(roles.COMMUNICATIONS_OFFICER)
    approver = demo.users.get(roles.APPROVER)
    spokesperson = demo.users["spokesperson"]
    newsroom = NewsroomPage.objects.child_of(demo.home).first()
    if newsroom is None:
        newsroom = NewsroomPage(
            title="News",
            slug="news",
            introduction="Press releases from the partners of the initiative.",
            show_in_menus=True,
        )
        demo.home.add_child(instance=newsroom)
        newsroom.save_revision(user=approver).publish(user=approver)
    made = 0
    for row in RELEASES:
        if Page.objects.child_of(newsroom).filter(slug=row["slug"]).exists():
            continue
        release = PressReleasePage(
            title=row["title"],
            slug=row["slug"],
            summary=row["summary"],
            body=[
                ("paragraph", f"<p>{row['summary']}</p>"),
                (
                    "paragraph",
                    "<p>Anyone with information can call 101, or Crimestoppers anonymously on "
                    "0800 555 111. Anyone worried about drug use can call the Harbridge "
                    "Recovery Service on 01632 960 456.</p>",
                ),
            ],
            operation=demo.operation,
            area=demo.areas["eastfield"],
            spokesperson_quote=(
                "This is about the dealing, not about the people who live here. Residents "
                "told us where the problems were, and we have acted on what they said."
            ),
            quote_attribution="Inspector Daniel Okafor, initiative co-ordinator",
            notes_to_editors=(
                "<p>Safer Harbridge is a partnership of Harbridge Police, the borough council "
                "and the Harbridge Recovery Service.</p>"
            ),
            media_contact_name="Priya Shah, communications officer",
            media_contact_phone="01632 960 200",
            media_contact_email="press@harbridge.example.org",
            owner=comms,
            live=False,
        )
        if row["state"] == "embargoed":
            release.go_live_at = timezone.now() + datetime.timedelta(days=3, hours=2)
        newsroom.add_child(instance=release)
        release.save_revision(user=comms)
        # Every release the public sees went through both sign-off steps, by two people.
        workflow = release.get_workflow()
        workflow.start(release, comms)
        if row["state"] in ("published", "embargoed"):
            for reviewer in (approver, spokesperson):
                release.refresh_from_db()
                release.current_workflow_task.on_action(
                    release.current_workflow_task_state, reviewer, "approve"
                )
        made += 1
    return newsroom, made


def _load_enquiries(demo) -> int:
    from .models import MediaEnquiry

    now = timezone.now()
    comms = demo.users.get(roles.COMMUNICATIONS_OFFICER)
    approver = demo.users.get(roles.APPROVER)
    rows = [
        (
            "Harbridge Echo",
            "Sam Whitley",
            "How many arrests were made on the arrest day?",
            "Arrests, warrants and operational detail",
            approver,
            -30,
            -28,
            "answered",
            "Eleven people were arrested; nine have been charged. We cannot comment further.",
        ),
        (
            "Radio Harbridge",
            "Jo Patel",
            "Can the spokesperson do a live interview on Friday?",
            "The initiative as a whole",
            approver,
            -10,
            -9,
            "answered",
            "Interview given by Inspector Okafor on the breakfast show.",
        ),
        (
            "Harbridge Echo",
            "Sam Whitley",
            "Is it true the estate is 'the worst in the county'?",
            "The initiative as a whole",
            approver,
            -3,
            -1,
            "declined",
            "Declined: we do not rank communities. Sent the initiative's key messages.",
        ),
        (
            "Northgate Weekly",
            "Chris Dunmore",
            "Will the operation move to Northgate next?",
            "Arrests, warrants and operational detail",
            comms,
            -1,
            -0.2,
            "in_hand",
            "",
        ),
        (
            "BBC Local",
            "Amira Khan",
            "How many people have entered treatment through the scheme?",
            "Treatment and recovery services",
            None,
            0,
            1,
            "new",
            "",
        ),
    ]
    for (
        outlet,
        journalist,
        question,
        subject,
        handler,
        received,
        deadline,
        status,
        response,
    ) in rows:
        received_at = (now + datetime.timedelta(days=received)).replace(second=0, microsecond=0)
        MediaEnquiry.objects.update_or_create(
            outlet=outlet,
            question=question,
            defaults={
                "journalist": journalist,
                "journalist_contact": f"{journalist.split()[0].lower()}@{outlet.split()[0].lower()}.example.com",
                "protocol_subject": subject,
                "handler": handler,
                "received_at": received_at,
                "deadline": received_at + datetime.timedelta(days=deadline - received),
                "status": status,
                "response": response,
                "responded_at": received_at + datetime.timedelta(hours=3) if response else None,
                "operation": demo.operation,
            },
        )
    return len(rows)


MEDIA_CONTACTS = [
    ("Sam Whitley", "Harbridge Echo", "Crime reporter", "newsdesk@harbridge-echo.example.com"),
    ("Jo Patel", "Radio Harbridge", "News editor", "news@radio-harbridge.example.com"),
]


def _load_media_contacts() -> None:
    """Journalists who receive published releases (guide, section 8: 'Press releases')."""
    from .models import Stakeholder

    for name, organisation, position, email in MEDIA_CONTACTS:
        Stakeholder.objects.update_or_create(
            email=email,
            defaults={
                "name": name,
                "organisation": organisation,
                "position": position,
                "stakeholder_type": Stakeholder.Type.MEDIA,
                "lawful_basis": Stakeholder.LawfulBasis.LEGITIMATE_INTERESTS,
                "consent_to_contact": True,
                "consent_recorded_on": timezone.localdate(),
            },
        )


def load_communications(demo) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    username, first, last, password = SPOKESPERSON
    spokesperson, created = get_user_model().objects.get_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "email": f"{username}@harbridge.example.org",
        },
    )
    if created:
        spokesperson.set_password(password)
        spokesperson.save()
    spokesperson.groups.set([Group.objects.get(name=roles.APPROVER)])
    demo.users["spokesperson"] = spokesperson
    demo.account(spokesperson, password=password, role=f"{roles.APPROVER} (spokesperson)")

    _load_media_contacts()
    activities = _load_activities(demo, demo.users.get(roles.COMMUNICATIONS_OFFICER))
    _load_plan(demo)
    _newsroom, releases = _load_newsroom(demo)
    enquiries = _load_enquiries(demo)
    demo.say(
        f"Communication plan with {activities} activities over a year, newsroom "
        f"({releases} new releases), {enquiries} media enquiries; second approver "
        f"'{username}' / '{password}'"
    )


# --- Stakeholder register ------------------------------------------------------------------
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


def _load_stakeholders(demo) -> None:
    from .models import ConcernTheme, Engagement, Stakeholder
    from .services import engagement_record_logged, stakeholder_assess

    today = timezone.localdate()
    officer = demo.users.get("Communications officer")
    neighbourhood = demo.users.get("Neighbourhood team")
    themes = {name: ConcernTheme.objects.get_or_create(name=name)[0] for name in THEMES}
    register = {}
    for name, organisation, kind, areas, history in STAKEHOLDERS:
        slug = name.lower().replace(" ", ".").replace("'", "")
        is_media = kind == "media"
        stakeholder, _ = Stakeholder.objects.update_or_create(
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
