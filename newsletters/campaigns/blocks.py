"""The blocks a newsletter is written in. Each renders on the web page (its template) and
in the email (``campaigns.email``, which walks the same stream)."""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.urls import Resolver404, resolve
from signpost.blocks import RICH_TEXT_FEATURES, CallToActionBlock
from signpost.links import absolute_url
from signpost.qr import qr_svg
from signpost.wording import refuse_stated_length
from wagtail import blocks
from wagtail.images.blocks import ImageBlock

from surveys.models import SurveyWave


class YouSaidWeDidBlock(blocks.StructBlock):
    """What residents told us, and what was done about it (guide, section 8)."""

    you_said = blocks.TextBlock(help_text="What residents raised, in their words where possible.")
    we_did = blocks.TextBlock(help_text="What the partnership did about it.")

    class Meta:
        icon = "openquote"
        label = '"You said, we did" item'
        template = "newsletters/blocks/you_said_we_did.html"


class SurveyInvitationBlock(blocks.StructBlock):
    """An invitation to a perception survey, with a QR code for the printed leaflet."""

    heading = blocks.CharBlock(max_length=120, default="Tell us how safe your area feels")
    text = blocks.TextBlock(required=False)
    page = blocks.PageChooserBlock(required=False, help_text="The survey page.")
    url = blocks.URLBlock(required=False, help_text="Used when no page is chosen.")
    button_text = blocks.CharBlock(max_length=60, default="Take the survey")

    class Meta:
        icon = "form"
        label = "Survey invitation"
        template = "newsletters/blocks/survey_invitation.html"

    def clean(self, value):
        value = super().clean(value)
        errors = {}
        if not value.get("page") and not value.get("url"):
            errors["url"] = ValidationError("Choose the survey page or give its address.")
        try:
            refuse_stated_length(value.get("text", ""))
        except ValidationError as error:
            errors["text"] = error
        if errors:
            raise blocks.StructBlockValidationError(block_errors=errors)
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        target = survey_target(value)
        context["target"] = target
        context["length"] = survey_length(value)
        # 0.8 mm a module: about 26 mm across for a survey address.
        context["qr_svg"] = qr_svg(target, module_mm=0.8) if target else ""
        return context


def survey_length(value) -> str:
    """How long the invited survey takes, in the words its own page uses, worked out from
    its questions: the chosen survey page, or the survey wave the address leads to."""
    page = value.get("page")
    if page is not None:
        return getattr(page.specific, "length_text", "")
    path = urlsplit(value.get("url") or "").path
    try:
        match = resolve(path)
    except Resolver404:
        return ""
    if match.view_name != "surveys:wave":
        return ""
    wave = SurveyWave.objects.filter(slug=match.kwargs["slug"]).select_related("survey").first()
    return wave.survey.length_text if wave else ""


def survey_target(value) -> str:
    page = value.get("page")
    if page is not None:
        return absolute_url(page.specific.url or "")
    return value.get("url") or ""


class NewsletterBodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(
        form_classname="title", icon="title", template="signpost/blocks/heading.html"
    )
    paragraph = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)
    image = ImageBlock()
    call_to_action = CallToActionBlock()
    you_said_we_did = YouSaidWeDidBlock()
    survey_invitation = SurveyInvitationBlock()
