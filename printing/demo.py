"""Demo print templates: an operation leaflet and a warrant-day sign."""

from .models import Kind, PrintTemplate

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
            "<ul><li>Tell us how safe you feel: our short survey takes three minutes.</li>"
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


def load(demo) -> None:
    for row in TEMPLATES:
        PrintTemplate.objects.update_or_create(name=row["name"], defaults=row)
    demo.say(f"{len(TEMPLATES)} print templates")
