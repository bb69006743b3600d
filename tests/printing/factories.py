import factory
from factory.django import DjangoModelFactory

from printing.models import Kind, PrintTemplate


class PrintTemplateFactory(DjangoModelFactory):
    class Meta:
        model = PrintTemplate

    name = factory.Sequence(lambda n: f"Leaflet template {n}")
    kind = Kind.LEAFLET
    headline = "Police are working in your area"
    what_is_happening = (
        "<p>Police and partners are closing down drug dealing on these streets. You may see "
        "more officers about this week.</p>"
    )
    what_residents_can_do = (
        "<ul><li>Tell us how safe you feel.</li><li>Pass on what you know.</li></ul>"
    )
    qr_call_to_action = "Scan to tell us how safe you feel"


class SignTemplateFactory(PrintTemplateFactory):
    name = factory.Sequence(lambda n: f"Sign template {n}")
    kind = Kind.SIGN
    headline = "Police operation in progress"
    what_is_happening = "<p>Officers are working here today to close down drug dealing.</p>"
    what_residents_can_do = ""
