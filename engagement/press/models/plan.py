"""The communication plan page: key messages, audiences, channels, spokesperson and the
media-enquiry protocol (guide, sections 3 and 4). It is never public."""

from django.contrib.auth.models import Group
from django.db import models
from django.utils import timezone
from signpost.blocks import RICH_TEXT_FEATURES
from signpost.roles import ROLES
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import (
    Page,
    PagePermissionTester,
    PageViewRestriction,
)

from engagement.activities.models import Activity
from engagement.stakeholders.models import Quadrant, Stakeholder
from engagement.stakeholders.strategy import STRATEGIES

# Guide, section 3 ("Develop a communication plan"), section 4 ("Beware of the local
# press!") and section 8 ("Press releases"): one plan agreed early, one spokesperson, and
# nothing said to the press without sign-off.


class ChannelBlock(blocks.StructBlock):
    """One channel of the plan and how the initiative uses it (guide, section 8)."""

    mode = blocks.ChoiceBlock(choices=Activity.Mode.choices)
    audience = blocks.CharBlock(max_length=200, required=False)
    how_used = blocks.TextBlock(help_text="What it is used for, when and how often.")

    class Meta:
        icon = "mail"
        label = "Channel"


class ProtocolRuleBlock(blocks.StructBlock):
    """A line of the media-enquiry protocol: who answers what, and how fast."""

    subject = blocks.CharBlock(
        max_length=200, help_text="e.g. 'Operational detail of arrests', 'Treatment services'."
    )
    answered_by = blocks.CharBlock(max_length=200, help_text="Role or partner who answers.")
    respond_within_hours = blocks.IntegerBlock(min_value=1, max_value=24 * 14, default=4)

    class Meta:
        icon = "help"
        label = "Protocol rule"


class CommunicationPlanPage(Page):
    """The initiative's communication plan, agreed at the planning stage (guide, section
    3): aim, key messages, audiences by the interest/influence grid, channels, the
    spokesperson and the media-enquiry protocol. Visible to staff and partners only."""

    aim = models.TextField(
        help_text="Framed as crime reduction: what the communication is for.",
    )
    key_messages = StreamField(
        [("message", blocks.CharBlock(max_length=300))],
        blank=True,
        use_json_field=True,
    )
    audience_notes = RichTextField(
        features=RICH_TEXT_FEATURES,
        blank=True,
        help_text="How each quadrant of the grid is approached; the counts come from the register.",
    )
    channels = StreamField([("channel", ChannelBlock())], blank=True, use_json_field=True)
    spokesperson_name = models.CharField(max_length=120)
    spokesperson_role = models.CharField(max_length=160, blank=True)
    spokesperson_contact = models.CharField(max_length=200, blank=True)
    media_protocol = StreamField(
        [("rule", ProtocolRuleBlock())],
        blank=True,
        use_json_field=True,
        verbose_name="media-enquiry protocol",
    )
    review_date = models.DateField(help_text="When the partners next review the plan.")

    content_panels = Page.content_panels + [
        FieldPanel("aim"),
        FieldPanel("key_messages"),
        FieldPanel("audience_notes"),
        FieldPanel("channels"),
        MultiFieldPanel(
            [
                FieldPanel("spokesperson_name"),
                FieldPanel("spokesperson_role"),
                FieldPanel("spokesperson_contact"),
            ],
            "Spokesperson",
        ),
        FieldPanel("media_protocol"),
        FieldPanel("review_date"),
    ]
    parent_page_types = ["signpost.HomePage"]
    subpage_types: list = []
    max_count = 1

    class Meta:
        verbose_name = "communication plan"

    # Only the roles' restriction is offered, and only a superuser may change it.
    private_page_options = ["groups"]

    def permissions_for_user(self, user):
        return CommunicationPlanPermissionTester(user, self)

    def save(self, *args, **kwargs):
        """The plan is never public: whoever creates or edits it, the page keeps a
        restriction to the initiative's roles."""
        super().save(*args, **kwargs)
        if self.pk:
            communication_plan_restrict(self)

    @property
    def review_is_due(self) -> bool:
        return self.review_date <= timezone.localdate()

    def audiences(self) -> list[dict]:
        """The plan's audiences: each quadrant of the interest/influence grid with its
        strategy and how many stakeholders the register holds in it, live."""
        counts = Stakeholder.objects.quadrant_counts()
        return [
            {
                "quadrant": quadrant.value,
                "label": quadrant.label,
                "count": counts[quadrant.value],
                "summary": STRATEGIES[quadrant].summary,
                "in_practice": STRATEGIES[quadrant].in_practice,
            }
            for quadrant in Quadrant
        ]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["audiences"] = self.audiences()
        context["calendar"] = Activity.objects.plan_summary()
        modes = dict(Activity.Mode.choices)
        context["channels"] = [
            {**block.value, "label": modes.get(block.value["mode"], block.value["mode"])}
            for block in self.channels
        ]
        return context


class CommunicationPlanPermissionTester(PagePermissionTester):
    """Editors keep the plan, but its privacy setting is not theirs to lift: the plan's
    own restriction is put back on every save, and until then it would be public."""

    def can_set_view_restrictions(self):
        return self.user.is_active and self.user.is_superuser


def communication_plan_restrict(page: Page) -> None:
    """Restrict a page to the initiative's roles (staff and partner viewers)."""
    restriction = PageViewRestriction.objects.filter(
        page=page, restriction_type=PageViewRestriction.GROUPS
    ).first()
    if restriction is None:
        PageViewRestriction.objects.filter(page=page).delete()
        restriction = PageViewRestriction.objects.create(
            page=page, restriction_type=PageViewRestriction.GROUPS
        )
    restriction.groups.set(Group.objects.filter(name__in=ROLES))
