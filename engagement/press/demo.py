"""Demo communication plan, newsroom, media contacts and media enquiries."""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from signpost import roles
from wagtail.models import Page

from engagement.activities.demo import load_activities
from engagement.stakeholders.models import Stakeholder

from .models import CommunicationPlanPage, MediaEnquiry, NewsroomPage, PressReleasePage

SPOKESPERSON = ("spokesperson", "Helen", "Marsh", "signpost-spokesperson")


def _load_plan(demo):
    """The plan, made and published once: a published plan is the officers' own from then on."""
    plan = CommunicationPlanPage.objects.child_of(demo.home).first()
    if plan is not None:
        return plan
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
    plan = CommunicationPlanPage(title="Communication plan", slug="communication-plan", **fields)
    demo.home.add_child(instance=plan)
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
        MediaEnquiry.objects.get_or_create(
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
    for name, organisation, position, email in MEDIA_CONTACTS:
        Stakeholder.objects.get_or_create(
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
    activities = load_activities(demo, demo.users.get(roles.COMMUNICATIONS_OFFICER))
    _load_plan(demo)
    _newsroom, releases = _load_newsroom(demo)
    enquiries = _load_enquiries(demo)
    demo.say(
        f"Communication plan with {activities} activities over a year, newsroom "
        f"({releases} new releases), {enquiries} media enquiries; second approver "
        f"'{username}' / '{password}'"
    )
