"""Pages and settings of the public site that every app hangs from."""

from django.db import models
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.images.blocks import ImageBlock
from wagtail.models import Page
from wagtail.search import index

from .blocks import RICH_TEXT_FEATURES, BodyBlock


class HomePage(Page):
    """The initiative's front door: what is happening, and where residents go next."""

    introduction = models.TextField(
        blank=True, help_text="One or two plain sentences under the title."
    )
    body = StreamField(BodyBlock(), blank=True, use_json_field=True)

    content_panels = Page.content_panels + [FieldPanel("introduction"), FieldPanel("body")]
    search_fields = Page.search_fields + [
        index.SearchField("introduction"),
        index.SearchField("body"),
    ]
    max_count = 1
    parent_page_types = ["wagtailcore.Page"]


class ContentPage(Page):
    """A plain page: about the initiative, privacy notice, accessibility statement."""

    introduction = models.TextField(blank=True)
    body = StreamField(BodyBlock(), blank=True, use_json_field=True)

    content_panels = Page.content_panels + [FieldPanel("introduction"), FieldPanel("body")]
    search_fields = Page.search_fields + [
        index.SearchField("introduction"),
        index.SearchField("body"),
    ]


class PartnerBlock(blocks.StructBlock):
    name = blocks.CharBlock(max_length=120)
    logo = ImageBlock(required=False)
    url = blocks.URLBlock(required=False)


@register_setting(icon="site")
class InitiativeSettings(BaseSiteSetting):
    """Who the initiative is: shown on every page, email and printed leaflet."""

    name = models.CharField(max_length=120, default="Safer Streets Initiative")
    strapline = models.CharField(max_length=200, blank=True)
    logo = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    postal_address = models.TextField(blank=True)
    report_information_text = RichTextField(
        features=RICH_TEXT_FEATURES,
        blank=True,
        help_text="How to pass on information safely, e.g. Crimestoppers anonymously on 0800 555 111.",
    )
    help_with_drugs_text = RichTextField(
        features=RICH_TEXT_FEATURES, blank=True, help_text="Where to get help with drug use."
    )
    partners = StreamField([("partner", PartnerBlock())], blank=True, use_json_field=True)

    panels = [
        MultiFieldPanel(
            [FieldPanel("name"), FieldPanel("strapline"), FieldPanel("logo")], "Identity"
        ),
        MultiFieldPanel(
            [
                FieldPanel("contact_email"),
                FieldPanel("contact_phone"),
                FieldPanel("postal_address"),
            ],
            "Contact details",
        ),
        FieldPanel("report_information_text"),
        FieldPanel("help_with_drugs_text"),
        FieldPanel("partners"),
    ]

    class Meta:
        verbose_name = "initiative settings"
