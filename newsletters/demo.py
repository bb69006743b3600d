"""Demo newsletters: topics, subscribers in the three areas, two sent campaigns with
realistic figures and one scheduled. Idempotent: running it again changes nothing."""

import datetime
import random

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from signpost.links import absolute_url
from signpost.page_translations import translate_page
from wagtail.models import Locale

from engagement.activities.services import activity_record_delivered
from engagement.models import Activity, Area

from .campaigns.translations import newsletter_translations_in_step
from .models import (
    Campaign,
    CampaignReview,
    ConsentRecord,
    Delivery,
    NewsletterPage,
    Subscriber,
    Topic,
)
from .subscribers.consent import CURRENT_WORDING_VERSION

TOPICS = [
    ("enforcement-news", "Enforcement news", "Arrests, closures and what the police are doing"),
    (
        "help-and-treatment",
        "Help and treatment",
        "Where to get help with drugs, for you or someone else",
    ),
    ("community-events", "Community events", "Forum meetings, clean-ups and drop-in sessions"),
]

FIRST_NAMES = [
    "Aisha",
    "Ben",
    "Chloe",
    "Dev",
    "Ella",
    "Femi",
    "Grace",
    "Harry",
    "Imran",
    "Jade",
    "Kieran",
    "Leah",
    "Marek",
    "Nina",
    "Owen",
    "Priya",
    "Rhys",
    "Sara",
    "Tariq",
    "Zoe",
]
POSTCODES = {
    "eastfield": ["HB4 2AA", "HB4 3BD"],
    "canal-quarter": ["HB1 5QT", "HB1 6LW"],
    "northgate": ["HB2 7NN", "HB2 1AX"],
}
SUBSCRIBERS_PER_AREA = 40

NEWSLETTERS = [
    {
        "slug": "eastfield-update-march",
        "title": "Eastfield update: the Parade is quieter",
        "area": "eastfield",
        "introduction": "What changed on Eastfield Parade after Operation Larch, and what comes next.",
        "you_said": "Dealing outside the Parade shops after school.",
        "we_did": "Eleven arrests on the arrest day, daily patrols 3–6pm, and the phone line shut down.",
    },
    {
        "slug": "canal-quarter-update-april",
        "title": "Canal Quarter: towpath lighting and a new drop-in",
        "area": "canal-quarter",
        "introduction": "New lights on the towpath, a weekly treatment drop-in, and your survey results.",
        "you_said": "The towpath feels unsafe after dark.",
        "we_did": "Twelve new lights between Lock Lane and the station, switched on from 1 April.",
    },
    {
        "slug": "harbridge-update-may",
        "title": "Harbridge in May: what you told us in the survey",
        "area": None,
        "introduction": "The follow-up survey is open: tell us whether your street feels safer.",
        "you_said": "Tell us what happens after the arrests.",
        "we_did": "This monthly update, and a forum meeting in every area.",
    },
]


def _newsletter(demo, row) -> NewsletterPage:
    page = NewsletterPage.objects.filter(slug=row["slug"]).first()
    if page:
        return page
    page = NewsletterPage(
        title=row["title"],
        slug=row["slug"],
        introduction=row["introduction"],
        area=demo.areas.get(row["area"]) if row["area"] else None,
        body=[
            ("heading", "What you told us"),
            ("you_said_we_did", {"you_said": row["you_said"], "we_did": row["we_did"]}),
            (
                "paragraph",
                "<p>If you know something about drug dealing, tell us safely: call 101, or "
                "<b>Crimestoppers anonymously on 0800 555 111</b>.</p>",
            ),
            (
                "call_to_action",
                {
                    "text": "Free, confidential help with drugs",
                    "page": None,
                    "url": "https://example.org/help",
                },
            ),
            (
                "survey_invitation",
                {
                    "heading": "How safe does your street feel?",
                    "text": "It is anonymous: we do not ask for your name.",
                    "page": None,
                    # The open follow-up wave (surveys.demo), at this run's address.
                    "url": absolute_url("/survey/eastfield-after/"),
                    "button_text": "Take the survey",
                },
            ),
        ],
    )
    demo.home.add_child(instance=page)
    page.save_revision(user=demo.users.get("Communications officer")).publish()
    return page


# The May newsletter in Welsh and Urdu, segment by segment, as a translator would give it
# in wagtail-localize's editor (demonstration text: have it checked before relying on it).
MAY_TRANSLATIONS = {
    "Harbridge in May: what you told us in the survey": (
        "Harbridge ym mis Mai: beth ddywedoch chi wrthym yn yr arolwg",
        "مئی میں ہاربرج: آپ نے سروے میں ہمیں کیا بتایا",
    ),
    "harbridge-update-may": ("harbridge-diweddariad-mai", "harbridge-update-may-ur"),
    "The follow-up survey is open: tell us whether your street feels safer.": (
        "Mae'r arolwg dilynol ar agor: dywedwch wrthym a yw eich stryd yn teimlo'n fwy diogel.",
        "دوسرا سروے کھلا ہے: ہمیں بتائیں کہ کیا آپ کی گلی اب زیادہ محفوظ لگتی ہے۔",
    ),
    "What you told us": ("Beth ddywedoch chi wrthym", "آپ نے ہمیں کیا بتایا"),
    "Tell us what happens after the arrests.": (
        "Dywedwch wrthym beth sy'n digwydd ar ôl yr arestiadau.",
        "ہمیں بتائیں کہ گرفتاریوں کے بعد کیا ہوتا ہے۔",
    ),
    "This monthly update, and a forum meeting in every area.": (
        "Y diweddariad misol hwn, a chyfarfod fforwm ym mhob ardal.",
        "یہ ماہانہ اپ ڈیٹ، اور ہر علاقے میں ایک فورم میٹنگ۔",
    ),
    "If you know something about drug dealing, tell us safely: call 101, or "
    "<b>Crimestoppers anonymously on 0800 555 111</b>.": (
        "Os ydych chi'n gwybod rhywbeth am werthu cyffuriau, dywedwch wrthym yn ddiogel: "
        "ffoniwch 101, neu <b>Crimestoppers yn ddienw ar 0800 555 111</b>.",
        "اگر آپ منشیات فروشی کے بارے میں کچھ جانتے ہیں تو ہمیں محفوظ طریقے سے بتائیں: 101 پر "
        "کال کریں، یا <b>Crimestoppers کو گمنام طور پر 0800 555 111 پر</b>۔",
    ),
    "Free, confidential help with drugs": (
        "Help am ddim a chyfrinachol gyda chyffuriau",
        "منشیات کے بارے میں مفت اور رازدارانہ مدد",
    ),
    "How safe does your street feel?": (
        "Pa mor ddiogel mae eich stryd yn teimlo?",
        "آپ کی گلی کتنی محفوظ لگتی ہے؟",
    ),
    "It is anonymous: we do not ask for your name.": (
        "Mae'n ddienw: dydyn ni ddim yn gofyn am eich enw.",
        "یہ گمنام ہے: ہم آپ کا نام نہیں پوچھتے۔",
    ),
    "Take the survey": ("Llenwi'r arolwg", "سروے میں حصہ لیں"),
}
TRANSLATED_LANGUAGES = ("cy", "ur")


def _translate(page, *, code: str, index: int) -> None:
    """Translate ``page`` into ``code`` through wagtail-localize, as its editor does:
    send it for translation, fill in each segment, publish. Create-only: a page already
    translated into ``code`` is left as it is."""
    locale, _created = Locale.objects.get_or_create(language_code=code)
    if page.get_translation_or_none(locale) is None:
        translate_page(page, code, {text: words[index] for text, words in MAY_TRANSLATIONS.items()})


def _subscribers_in_other_languages(demo) -> None:
    """A few residents who signed up on the Welsh or the Urdu pages."""
    area = demo.areas.get("eastfield") or next(iter(demo.areas.values()))
    people = [("Rhiannon", "cy"), ("Gethin", "cy"), ("Nasreen", "ur"), ("Bilal", "ur")]
    now = timezone.now()
    for n, (name, code) in enumerate(people):
        email = f"{name.lower()}.{code}@residents.example.org"
        if Subscriber.objects.filter(email=email).exists():
            continue
        signed_up = now - datetime.timedelta(days=30 + n)
        subscriber = Subscriber.objects.create(
            email=email,
            name=name,
            area=area,
            language=code,
            status=Subscriber.Status.CONFIRMED,
            created_at=signed_up,
            confirmed_at=signed_up + datetime.timedelta(hours=1),
        )
        for action, method, at in [
            (ConsentRecord.Action.SIGNED_UP, ConsentRecord.Method.WEB_FORM, signed_up),
            (
                ConsentRecord.Action.CONFIRMED,
                ConsentRecord.Method.EMAIL_LINK,
                signed_up + datetime.timedelta(hours=1),
            ),
        ]:
            ConsentRecord.objects.create(
                subscriber=subscriber,
                at=at,
                action=action,
                method=method,
                wording_version=CURRENT_WORDING_VERSION,
                language=code,
            )


def _subscribers(demo) -> None:
    rng = random.Random(7)
    topics = list(Topic.objects.all())
    now = timezone.now()
    for slug, area in demo.areas.items():
        for n in range(SUBSCRIBERS_PER_AREA):
            email = f"{FIRST_NAMES[n % len(FIRST_NAMES)].lower()}.{slug}{n}@residents.example.org"
            if Subscriber.objects.filter(email=email).exists():
                continue
            signed_up = now - datetime.timedelta(days=rng.randint(20, 200))
            pending = n % 13 == 12
            subscriber = Subscriber.objects.create(
                email=email,
                name=FIRST_NAMES[n % len(FIRST_NAMES)],
                postcode=POSTCODES[slug][n % 2] if slug in POSTCODES else "",
                area=area,
                status=Subscriber.Status.PENDING if pending else Subscriber.Status.CONFIRMED,
                created_at=signed_up,
                confirmed_at=None if pending else signed_up + datetime.timedelta(hours=2),
            )
            subscriber.topics.set(rng.sample(topics, rng.randint(0, len(topics))))
            ConsentRecord.objects.create(
                subscriber=subscriber,
                at=signed_up,
                action=ConsentRecord.Action.SIGNED_UP,
                method=ConsentRecord.Method.WEB_FORM,
                wording_version=CURRENT_WORDING_VERSION,
                language=subscriber.language,
                changes={"area": ["", area.name]},
            )
            if not pending:
                ConsentRecord.objects.create(
                    subscriber=subscriber,
                    at=signed_up + datetime.timedelta(hours=2),
                    action=ConsentRecord.Action.CONFIRMED,
                    method=ConsentRecord.Method.EMAIL_LINK,
                    wording_version=CURRENT_WORDING_VERSION,
                    language=subscriber.language,
                )


def _sent_campaign(demo, page, *, name, days_ago, rates) -> None:
    """A campaign sent some days ago, with figures like a real send's."""
    if Campaign.objects.filter(name=name).exists():
        return
    rng = random.Random(name)
    sent_at = timezone.now() - datetime.timedelta(days=days_ago)
    campaign = Campaign.objects.create(
        name=name,
        newsletter=page,
        subject=page.title,
        status=Campaign.Status.SENT,
        created_by=demo.users.get("Communications officer"),
        created_at=sent_at - datetime.timedelta(days=2),
        approved_by=demo.users.get("Approver"),
        approved_at=sent_at - datetime.timedelta(days=1),
        test_sent_at=sent_at - datetime.timedelta(days=1, hours=2),
        send_started_at=sent_at,
        send_finished_at=sent_at + datetime.timedelta(minutes=2),
    )
    if page.area:
        campaign.areas.set([page.area])
    recipients = Subscriber.objects.confirmed().filter(Q(area=page.area) if page.area else Q())
    deliveries = []
    for subscriber in recipients:
        bounced = rng.random() < rates["bounced"]
        delivery = Delivery(
            campaign=campaign,
            subscriber=subscriber,
            status=Delivery.Status.BOUNCED if bounced else Delivery.Status.DELIVERED,
            esp_message_id=f"<demo-{campaign.pk}@mg.harbridge.example.org>",
            sent_at=sent_at,
            attempts=1,
        )
        if bounced:
            delivery.bounced_at = sent_at + datetime.timedelta(minutes=1)
        else:
            delivery.delivered_at = sent_at + datetime.timedelta(minutes=1)
            if rng.random() < rates["opened"]:
                delivery.opened_at = sent_at + datetime.timedelta(hours=rng.randint(1, 48))
                if rng.random() < rates["clicked"]:
                    delivery.clicked_at = delivery.opened_at + datetime.timedelta(minutes=2)
        deliveries.append(delivery)
    Delivery.objects.bulk_create(deliveries)
    campaign.recipient_count = len(deliveries)
    campaign.save(update_fields=["recipient_count"])
    activity_record_delivered(
        source=campaign,
        mode=Activity.Mode.EMAIL_NEWSLETTER,
        title=f"Email newsletter: {page.title}",
        delivered_on=timezone.localdate(sent_at),
        area=page.area,
        owner=campaign.created_by,
        audience=f"{len(deliveries)} email subscribers",
    )


def load(demo) -> None:
    for slug, name, description in TOPICS:
        Topic.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})
    pages = [_newsletter(demo, row) for row in NEWSLETTERS]
    # The May newsletter in Welsh and Urdu; its campaign below signs them off with it.
    with transaction.atomic():
        for index, code in enumerate(TRANSLATED_LANGUAGES):
            _translate(pages[2], code=code, index=index)
    _subscribers(demo)
    _subscribers_in_other_languages(demo)
    _sent_campaign(
        demo,
        pages[0],
        name="March update, Eastfield",
        days_ago=45,
        rates={"bounced": 0.03, "opened": 0.58, "clicked": 0.3},
    )
    _sent_campaign(
        demo,
        pages[1],
        name="April update, Canal Quarter",
        days_ago=14,
        rates={"bounced": 0.02, "opened": 0.52, "clicked": 0.25},
    )
    if not Campaign.objects.filter(name="May update, all areas").exists():
        subject = "Harbridge in May: tell us if your street feels safer"
        pages[2].refresh_from_db(fields=["live_revision"])
        campaign = Campaign.objects.create(
            name="May update, all areas",
            newsletter=pages[2],
            subject=subject,
            status=Campaign.Status.SCHEDULED,
            created_by=demo.users.get("Communications officer"),
            approved_by=demo.users.get("Approver"),
            approved_at=timezone.now() - datetime.timedelta(hours=3),
            # What the approver signed off: a campaign sends only that.
            approved_revision=pages[2].live_revision,
            approved_subject=subject,
            scheduled_for=(timezone.now() + datetime.timedelta(days=6)).replace(
                hour=9, minute=0, second=0, microsecond=0
            ),
        )
        campaign.approved_segment = campaign.segment_definition()
        # The translations that say what the approved version says go with it.
        campaign.approved_translations = {
            code: revision.pk
            for code, revision in newsletter_translations_in_step(
                pages[2], pages[2].live_revision
            ).items()
        }
        campaign.save(update_fields=["approved_segment", "approved_translations"])
    if not Campaign.objects.filter(name="June reminder, Eastfield").exists():
        # Waiting on the approver's home page: asked for, not yet decided.
        author = demo.users.get("Communications officer")
        campaign = Campaign.objects.create(
            name="June reminder, Eastfield",
            newsletter=pages[0],
            subject="Eastfield forum: Thursday at the library",
            status=Campaign.Status.AWAITING_APPROVAL,
            created_by=author,
        )
        campaign.areas.set(Area.objects.filter(slug="eastfield"))
        CampaignReview.objects.create(
            campaign=campaign,
            action=CampaignReview.Action.REQUESTED,
            by=author,
            notified_at=timezone.now(),  # the demo emails nobody
        )
    demo.say(
        f"Newsletters: {Subscriber.objects.count()} subscribers, "
        f"{Campaign.objects.filter(status=Campaign.Status.SENT).count()} sent campaigns, "
        f"{Campaign.objects.filter(status=Campaign.Status.SCHEDULED).count()} scheduled"
    )
