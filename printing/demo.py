"""Demo print templates (an operation leaflet and a warrant-day sign), a leaflet drop
and a set of signs with scans counted and one sign overdue to come down."""

import datetime

from django.db import transaction
from django.utils import timezone
from signpost import roles
from wagtail.models import Locale

from surveys.models import SurveyWave

from .models import Kind, PrintFormat, PrintRun, PrintTemplate, QRTarget, ShortLink
from .services import print_run_create, sign_log

TEMPLATES = [
    {
        "name": "Operation leaflet",
        "kind": Kind.LEAFLET,
        "headline": "Police are working in your area",
        "what_is_happening": (
            "<p>Police, the council and local services are closing down open drug dealing on "
            "these streets. You may see more officers and vehicles over the coming weeks.</p>"
            "<p>People who use drugs are being offered fast-track help into treatment.</p>"
        ),
        "what_residents_can_do": (
            "<ul><li>Tell us how safe you feel in our short survey.</li>"
            "<li>Pass on what you know, safely and anonymously if you prefer.</li>"
            "<li>Sign up for email updates on what happens next.</li></ul>"
        ),
        "qr_call_to_action": "Scan to tell us how safe you feel",
    },
    {
        "name": "Warrant day sign",
        "kind": Kind.SIGN,
        "headline": "Police operation in progress",
        "what_is_happening": (
            "<p>Officers are working here today to close down drug dealing. "
            "Thank you for your patience.</p>"
        ),
        "what_residents_can_do": "",
        "qr_call_to_action": "Scan to find out what is happening",
    },
]


def _load_print_runs(demo) -> int:
    """A leaflet drop in Eastfield whose QR code opens the open survey wave, and three
    signs on Canal Quarter's warrant day: one down, one up, one overdue to come down.
    Made through the same service as the admin, so the runs are in the activity calendar
    and their PDFs render (in the background, or at once without a broker)."""
    if demo.operation is None or PrintRun.objects.filter(operation=demo.operation).exists():
        return 0
    officer = demo.users.get(roles.NEIGHBOURHOOD_TEAM)
    eastfield, canal = demo.areas["eastfield"], demo.areas["canal-quarter"]
    today = timezone.localdate()
    wave = SurveyWave.objects.open_on(today).filter(area=eastfield).order_by("closes_on").first()
    now = timezone.now()
    days = datetime.timedelta(days=1)
    with transaction.atomic():
        leaflets = print_run_create(
            user=officer,
            operation=demo.operation,
            area=eastfield,
            template=PrintTemplate.objects.get(
                name="Operation leaflet", locale=Locale.get_default()
            ),
            format=PrintFormat.A5_LEAFLET_ONE_SIDED,
            quantity=400,
            qr_target=QRTarget.SURVEY if wave else QRTarget.SIGNUP,
            survey_wave=wave,
        )
        ShortLink.objects.filter(print_run=leaflets).update(scan_count=37)
        signs = print_run_create(
            user=officer,
            operation=demo.operation,
            area=canal,
            template=PrintTemplate.objects.get(
                name="Warrant day sign", locale=Locale.get_default()
            ),
            format=PrintFormat.A4_SIGN,
            quantity=3,
            qr_target=QRTarget.SIGNUP,
        )
        places = [
            ("Lamp post outside 12 Towpath Row", 9, today - 2 * days, now - days),
            ("Railings by the canal bridge", 6, today - days, None),
            ("Noticeboard at Wharf Street shops", 2, today + 5 * days, None),
        ]
        for sign, (location, up_days, due_down_on, taken_down_at) in zip(
            signs.signs.order_by("number"), places, strict=True
        ):
            sign_log(
                sign=sign,
                user=officer,
                location=location,
                put_up_at=now - up_days * days,
                due_down_on=due_down_on,
                taken_down_at=taken_down_at,
            )
            ShortLink.objects.filter(sign=sign).update(scan_count=up_days)
    return 2


def load(demo) -> None:
    for row in TEMPLATES:
        PrintTemplate.objects.get_or_create(
            name=row["name"], locale=Locale.get_default(), defaults=row
        )
    runs = _load_print_runs(demo)
    demo.say(f"{len(TEMPLATES)} print templates, {runs} new print runs (a leaflet drop, signs)")
