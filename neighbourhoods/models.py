"""Residents' pages for each area: the answer to "what is happening in my street, and
what can I do?" (guide, section 8: reassure residents that the problem is taken
seriously, explain the reasons behind police activity, show that information is acted on).

An ``AreaIndexPage`` lists the areas and finds a resident's area from a postcode; one
``AreaPage`` per ``engagement.Area`` gathers what the initiative is doing there; the
communications officer publishes ``AreaUpdatePage`` children in plain words.
"""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.html import strip_tags
from signpost.blocks import RICH_TEXT_FEATURES
from signpost.translated import default_language, reading_language
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from engagement.models import Area

from .forms import PostcodeForm
from .listings import AreaContent, PostcodeLookup, area_content, private_sections, visible

AREA_UPDATES_SHOWN = 5

# A full UK postcode names a handful of households, so it never belongs in an update.
FULL_POSTCODE_RE = re.compile(r"\b[A-Z]{1,2}[0-9][0-9A-Z]?\s*[0-9][A-Z]{2}\b", re.IGNORECASE)
HOUSE_NUMBER_RE = re.compile(
    r"\b\d+[a-z]?,?\s+(?:[A-Z][a-z']+\s+){1,3}"
    r"(?:Road|Street|Close|Way|Walk|Lane|Row|Avenue|Court|Drive|Parade|Yard|Square|Place|Terrace|Gardens|Crescent|Grove|Approach)\b"
)


def identifying_details(text: str) -> list[str]:
    """Full postcodes and house-number addresses found in ``text``: details that would
    point at a household or a person rather than at the area."""
    plain = strip_tags(text or "")
    found = [m.group(0) for m in FULL_POSTCODE_RE.finditer(plain)]
    found += [m.group(0).strip() for m in HOUSE_NUMBER_RE.finditer(plain)]
    return found


class AreaIndexPage(RoutablePageMixin, Page):
    """The list of areas and the postcode finder ("What is happening near me?")."""

    introduction = models.TextField(
        blank=True,
        default="Enter your postcode to see what police and partners are doing where you live.",
    )
    outside_text = RichTextField(
        features=RICH_TEXT_FEATURES,
        blank=True,
        default=(
            "<p>The initiative works in the areas listed on this page. You can still sign up "
            "for news about the whole town, pass on information safely and find help with "
            "drug use. For anything else, your local neighbourhood policing team is on 101.</p>"
        ),
        help_text="Shown when a postcode is outside every area.",
    )

    content_panels = Page.content_panels + [FieldPanel("introduction"), FieldPanel("outside_text")]
    parent_page_types = ["signpost.HomePage"]
    subpage_types = ["neighbourhoods.AreaPage"]
    max_count = 1
    template = "neighbourhoods/area_index_page.html"

    class Meta:
        verbose_name = "list of areas"

    @path("", name="index")
    def index_route(self, request):
        """The list of areas, or the answer for the postcode a resident typed."""
        form = PostcodeForm(request.GET if "postcode" in request.GET else None)
        context = self.get_context(request)
        context.update({"form": form, "areas": AreaPage.listed(), "lookup": None})
        if form.is_bound and form.is_valid():
            lookup = AreaPage.for_postcode(form.cleaned_data["postcode"])
            if lookup.page is not None:
                return redirect(lookup.page.get_url(request))
            context["lookup"] = lookup
        return TemplateResponse(request, self.get_template(request), context)


class AreaPage(Page):
    """One area of the initiative, as a resident sees it: what is being done there now,
    the latest newsletter and press releases, "you said, we did", the open survey,
    sign-up for the area's email updates and the neighbourhood team's contact."""

    # One page an area in each language: its translations share the area.
    area = models.ForeignKey(
        "engagement.Area",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The area this page is about. Its postcodes lead residents here.",
    )
    introduction = models.TextField(
        blank=True, help_text="One or two plain sentences. Empty: the area's description."
    )
    team_name = models.CharField(
        "neighbourhood team", max_length=120, default="Your neighbourhood policing team"
    )
    team_phone = models.CharField("telephone", max_length=40, blank=True, default="101")
    team_email = models.EmailField("email", blank=True)
    team_details = RichTextField(
        "where to find the team",
        features=RICH_TEXT_FEATURES,
        blank=True,
        help_text="Drop-in sessions, forum meetings, the team's page on the police website.",
    )

    content_panels = Page.content_panels + [
        FieldPanel("area"),
        FieldPanel("introduction"),
        MultiFieldPanel(
            [
                FieldPanel("team_name"),
                FieldPanel("team_phone"),
                FieldPanel("team_email"),
                FieldPanel("team_details"),
            ],
            "Neighbourhood team",
        ),
    ]
    search_fields = Page.search_fields + [index.SearchField("introduction")]
    parent_page_types = ["neighbourhoods.AreaIndexPage"]
    subpage_types = ["neighbourhoods.AreaUpdatePage"]
    template = "neighbourhoods/area_page.html"

    class Meta:
        verbose_name = "area page"

    @property
    def is_translation(self) -> bool:
        """Whether this page is read in a language other than the site's default (it is
        served in its own language): the area's description, written once in the default
        language, is not shown on it."""
        return reading_language() != default_language()

    def clean(self):
        super().clean()
        if self.area_id and self.locale_id:
            taken = (
                AreaPage.objects.filter(area_id=self.area_id, locale_id=self.locale_id)
                .exclude(pk=self.pk)
                .exists()
            )
            if taken:
                raise ValidationError(
                    {"area": "This area already has a page in this language: edit that one."}
                )

    @classmethod
    def listed(cls, private: Q | None = None):
        """Live, public area pages with their areas, in name order."""
        return visible(cls.objects, private).select_related("area").order_by("title")

    @classmethod
    def for_postcode(cls, postcode: str) -> PostcodeLookup:
        """Where a postcode leads: an area page, an area with no page yet, or nowhere."""
        area = Area.objects.for_postcode(postcode)
        if area is None:
            return PostcodeLookup(postcode=postcode)
        page = cls.listed().filter(area=area).first()
        return PostcodeLookup(postcode=postcode, area=area, page=page)

    def content(self) -> AreaContent:
        """Everything the page shows, in a fixed number of queries."""
        private = private_sections()
        updates = list(
            visible(AreaUpdatePage.objects, private)
            .child_of(self)
            .order_by("-first_published_at")[:AREA_UPDATES_SHOWN]
        )
        if self.area is None:
            return AreaContent(updates=updates)
        return area_content(self.area, updates=updates, private=private)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["area_content"] = self.content()
        return context


class AreaUpdatePage(Page):
    """What the initiative is doing in an area now, in plain words: a patrol, a closure,
    a clean-up, a drop-in. Always about the area, never about individuals."""

    summary = models.TextField(
        max_length=400,
        help_text="One or two plain sentences. Never name people, give addresses or full postcodes.",
    )
    body = RichTextField(features=RICH_TEXT_FEATURES, blank=True)
    operation = models.ForeignKey(
        "engagement.Operation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The operation this update is part of, if any.",
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("operation"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
    ]
    parent_page_types = ["neighbourhoods.AreaPage"]
    subpage_types: list[str] = []
    template = "neighbourhoods/area_update_page.html"

    class Meta:
        verbose_name = "area update"

    def clean(self):
        super().clean()
        errors = {}
        for field in ("title", "summary", "body"):
            found = identifying_details(getattr(self, field))
            if found:
                errors[field] = (
                    "Updates are about the area, never about a household or a person: "
                    f"leave out full postcodes and house numbers ({', '.join(found)})."
                )
        if errors:
            raise ValidationError(errors)
