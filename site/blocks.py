"""StreamField blocks shared by the public pages of every app."""

from django.core.exceptions import ValidationError
from wagtail import blocks
from wagtail.images.blocks import ImageBlock

from .wording import refuse_stated_length

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"]


class CallToActionBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=120)
    page = blocks.PageChooserBlock(required=False)
    url = blocks.URLBlock(required=False, help_text="Used when no page is chosen.")

    class Meta:
        icon = "link"
        template = "signpost/blocks/call_to_action.html"


class BodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(
        form_classname="title", icon="title", template="signpost/blocks/heading.html"
    )
    paragraph = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)
    image = ImageBlock()
    call_to_action = CallToActionBlock()


# --- Home page sections -------------------------------------------------------------
# Each section has wording the communications officer can change; what it lists (areas,
# news, open surveys) is drawn live by the home page's context.


class PostcodeFinderBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=80, default="What is happening near me?")
    text = blocks.CharBlock(
        max_length=200,
        required=False,
        default="Enter your postcode to see what police and partners are doing in your area.",
    )
    button_text = blocks.CharBlock(max_length=40, default="Find my area")

    class Meta:
        icon = "site"
        label = "Postcode finder"
        template = "signpost/blocks/postcode_finder.html"


class AreasBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=80, default="Where we are working")

    class Meta:
        icon = "list-ul"
        label = "Areas of the initiative"
        template = "signpost/blocks/areas.html"


class LatestNewsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=80, default="Latest updates and news")
    count = blocks.IntegerBlock(min_value=1, max_value=10, default=5)

    class Meta:
        icon = "doc-full"
        label = "Latest updates and news"
        template = "signpost/blocks/latest_news.html"


OPEN_SURVEYS_TEXT = "Tell us how safe your street feels. It is anonymous."


class OpenSurveysBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=80, default="Have your say")
    text = blocks.CharBlock(
        max_length=200,
        required=False,
        default=OPEN_SURVEYS_TEXT,
        help_text="How long each survey takes is worked out from its questions and shown "
        "beside it: do not state it here.",
    )

    class Meta:
        icon = "form"
        label = "Open surveys"
        template = "signpost/blocks/open_surveys.html"

    def clean(self, value):
        value = super().clean(value)
        try:
            refuse_stated_length(value.get("text", ""))
        except ValidationError as error:
            raise blocks.StructBlockValidationError(block_errors={"text": error}) from error
        return value


class SignUpBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=80, default="Get email updates")
    text = blocks.CharBlock(
        max_length=200,
        required=False,
        default="News of what is being done where you live, about once a month. Leave any time.",
    )
    button_text = blocks.CharBlock(max_length=40, default="Sign up for email updates")

    class Meta:
        icon = "mail"
        label = "Email sign-up"
        template = "signpost/blocks/sign_up.html"


class GuidanceBlock(blocks.StructBlock):
    """Wording left empty falls back to the initiative's settings, kept in one place."""

    heading = blocks.CharBlock(max_length=80)
    text = blocks.RichTextBlock(
        features=RICH_TEXT_FEATURES,
        required=False,
        help_text="Leave empty to use the wording in the initiative's settings.",
    )

    setting_field = ""

    class Meta:
        icon = "help"
        template = "signpost/blocks/guidance.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        # The initiative's settings, as Wagtail's settings context processor gives them to
        # the page's template (InitiativeSettings.for_request, read once per request).
        site_settings = (parent_context or {}).get("settings")
        if not value.get("text") and site_settings is not None:
            initiative = site_settings["signpost"]["InitiativeSettings"]
            context["fallback_text"] = getattr(initiative, self.setting_field, "")
        return context


class ReportInformationBlock(GuidanceBlock):
    heading = blocks.CharBlock(max_length=80, default="Passing on information safely")

    setting_field = "report_information_text"

    class Meta:
        label = "How to pass on information safely"


class DrugsHelpBlock(GuidanceBlock):
    heading = blocks.CharBlock(max_length=80, default="Help with drug use")

    setting_field = "help_with_drugs_text"

    class Meta:
        label = "Where to get help with drug use"


class HomeSectionsBlock(blocks.StreamBlock):
    postcode_finder = PostcodeFinderBlock()
    areas = AreasBlock()
    latest_news = LatestNewsBlock()
    open_surveys = OpenSurveysBlock()
    sign_up = SignUpBlock()
    report_information = ReportInformationBlock()
    drugs_help = DrugsHelpBlock()
    heading = blocks.CharBlock(
        form_classname="title", icon="title", template="signpost/blocks/heading.html"
    )
    paragraph = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)
    call_to_action = CallToActionBlock()


def home_sections_default() -> list:
    """A new home page starts with every section a resident needs, in a sensible order."""
    names = [
        "postcode_finder",
        "areas",
        "latest_news",
        "open_surveys",
        "sign_up",
        "report_information",
        "drugs_help",
    ]
    return [{"type": name, "value": {}} for name in names]
