"""Where and when the initiative works: areas and operations.

Residents, leaflets, signs, survey waves and campaigns all attach to an ``Area``; the
dated enforcement phases they serve are ``Operation`` rows (guide, sections 3 and 8).
"""

import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils import timezone
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from signpost.blocks import RICH_TEXT_FEATURES, BodyBlock
from taggit.models import TaggedItemBase
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import (
    AbstractGroupApprovalTask,
    Page,
    PagePermissionTester,
    PageViewRestriction,
)
from wagtail.search import index

from .permissions import (
    NewsroomPermissionTester,
    PressReleasePermissionTester,
    user_is_release_author,
    user_signed_earlier_step,
)
from .release_forms import PressReleaseForm

POSTCODE_PREFIX_RE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?( [0-9])?$")


def normalise_postcode(value: str) -> str:
    """A full UK postcode in its usual form, so 'hb14ab' and 'HB1  4AB' compare equal."""
    compact = "".join(value.upper().split())
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def normalise_prefix(value: str) -> str:
    return " ".join(value.upper().split())


class AreaQuerySet(models.QuerySet):
    def for_postcode(self, postcode: str) -> "Area | None":
        """The area whose postcode sector (e.g. 'HB1 4') or, failing that, district
        (e.g. 'HB1') holds the postcode."""
        outward, _, inward = normalise_postcode(postcode).partition(" ")
        sector = f"{outward} {inward[:1]}"
        by_prefix = {
            p: area for area in self.exclude(postcode_prefixes="") for p in area.prefix_list
        }
        return by_prefix.get(sector) or by_prefix.get(outward)


class Area(index.Indexed, models.Model):
    """A neighbourhood or operation area."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    postcode_prefixes = models.TextField(
        blank=True,
        help_text="Postcode districts or sectors in the area, comma separated (e.g. 'HB1 4, HB1 5, HB2').",
    )
    streets = models.TextField(blank=True, help_text="One street per line.")
    household_count = models.PositiveIntegerField(
        validators=[MinValueValidator(1)],
        help_text="Households in the area, for response and reach rates.",
    )
    is_comparison_area = models.BooleanField(
        "Comparison area",
        default=False,
        help_text="No operation runs here: its surveys, over the same weeks as an operation "
        "area's, show what changed anyway (guide, section 9).",
    )

    objects = AreaQuerySet.as_manager()

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        MultiFieldPanel([FieldPanel("postcode_prefixes"), FieldPanel("streets")], "Extent"),
        FieldPanel("household_count"),
        FieldPanel("is_comparison_area"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("streets"),
    ]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def prefix_list(self) -> list[str]:
        return [normalise_prefix(p) for p in self.postcode_prefixes.split(",") if p.strip()]

    @property
    def street_list(self) -> list[str]:
        return [s.strip() for s in self.streets.splitlines() if s.strip()]

    def clean(self):
        bad = [p for p in self.prefix_list if not POSTCODE_PREFIX_RE.match(p)]
        if bad:
            raise ValidationError(
                {"postcode_prefixes": f"Not a postcode district or sector: {', '.join(bad)}."}
            )


class OperationQuerySet(models.QuerySet):
    def current(self, on=None):
        from django.utils import timezone

        on = on or timezone.localdate()
        return self.filter(start_date__lte=on).filter(
            models.Q(end_date__isnull=True) | models.Q(end_date__gte=on)
        )


class Operation(index.Indexed, models.Model):
    """A dated enforcement phase in one or more areas: intelligence gathering, the
    arrest day (warrants executed), then consolidation."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    areas = models.ManyToManyField(Area, related_name="operations")
    start_date = models.DateField()
    arrest_day = models.DateField(null=True, blank=True, help_text="When warrants are executed.")
    end_date = models.DateField(null=True, blank=True)
    public_summary = models.TextField(
        blank=True, help_text="What residents may be told. Never name suspects or addresses."
    )

    objects = OperationQuerySet.as_manager()

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("areas"),
        MultiFieldPanel(
            [FieldPanel("start_date"), FieldPanel("arrest_day"), FieldPanel("end_date")], "Dates"
        ),
        FieldPanel("public_summary"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["-start_date", "name"]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.end_date and self.end_date < self.start_date:
            errors["end_date"] = "The end date must be on or after the start date."
        if self.arrest_day and (
            self.arrest_day < self.start_date or (self.end_date and self.arrest_day > self.end_date)
        ):
            errors["arrest_day"] = "The arrest day must fall within the operation's dates."
        if errors:
            raise ValidationError(errors)


class Activity(models.Model):
    """One line of the communication plan's activity calendar: something planned (a
    leaflet drop, a forum meeting…) and, once done, when it was delivered.

    Things Signpost does itself (a campaign sent, a print run, a press release published,
    a forum meeting logged) are recorded as delivered by
    ``engagement.services.activity_record_delivered``, keyed on the object that did it.
    """

    class Mode(models.TextChoices):
        LEAFLET_DROP = "leaflet_drop", "Leaflet drop"
        EMAIL_NEWSLETTER = "email_newsletter", "Email newsletter"
        FORUM_MEETING = "forum_meeting", "Community forum meeting"
        DOOR_TO_DOOR = "door_to_door", "Door-to-door calls"
        REMOVABLE_SIGNS = "removable_signs", "Removable signs"
        PRESS_RELEASE = "press_release", "Press release"
        PRESENTATION = "presentation", "Presentation"
        ONE_TO_ONE = "one_to_one", "One-to-one meeting"
        SURVEY = "survey", "Perception survey"

    title = models.CharField(max_length=200)
    mode = models.CharField(max_length=32, choices=Mode.choices)
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    operation = models.ForeignKey(
        Operation, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    audience = models.CharField(max_length=200, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    planned_on = models.DateField(null=True, blank=True)
    delivered_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    # The Signpost object that delivered it, when Signpost itself did the work.
    source_type = models.ForeignKey(
        "contenttypes.ContentType",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    source_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["planned_on", "delivered_on", "title"]
        verbose_name_plural = "activities"
        constraints = [
            models.UniqueConstraint(
                fields=["source_type", "source_id"],
                condition=models.Q(source_type__isnull=False),
                name="activity_one_record_per_source",
            ),
            models.CheckConstraint(
                condition=models.Q(planned_on__isnull=False) | models.Q(delivered_on__isnull=False),
                name="activity_planned_or_delivered",
            ),
        ]

    def __str__(self):
        return self.title


# --- Stakeholder register (guide section 8, "Framework for communication", Figure 2) -----

INTEREST_MEANINGS = {
    1: "No apparent interest in the local drugs problem or the initiative.",
    2: "Aware of the problem; takes an interest now and then but rarely acts on it.",
    3: "Clear interest: follows developments and raises the problem from time to time.",
    4: "Strong interest: raises the problem regularly, attends meetings, asks for updates.",
    5: "Intense interest: campaigns on the problem or is directly affected and vocal about it.",
}
INFLUENCE_MEANINGS = {
    1: "Little or no influence over the problem or over the initiative's delivery.",
    2: "Some influence within a small circle: a street, a club, a congregation.",
    3: "Moderate influence: speaks for a group or an organisation in the area.",
    4: "Strong influence: shapes opinion or decisions across the area.",
    5: "Decisive influence: can enable or block the initiative's delivery.",
}
SCORE_CHOICES = [(n, f"{n}") for n in range(1, 6)]
INTEREST_CHOICES = [(n, f"{n} – {text}") for n, text in INTEREST_MEANINGS.items()]
INFLUENCE_CHOICES = [(n, f"{n} – {text}") for n, text in INFLUENCE_MEANINGS.items()]


def grid_threshold() -> int:
    """A score at or above the threshold counts as 'high' on the grid."""
    return int(getattr(settings, "SIGNPOST_GRID_THRESHOLD", 3))


class Quadrant(models.TextChoices):
    """The four strategies of the guide's Figure 2."""

    INVOLVE = "involve", "Involve"
    CONSULT = "consult", "Consult"
    INFORM = "inform", "Inform"
    WATCH = "watch", "Watch"

    @classmethod
    def for_scores(cls, interest: int | None, influence: int | None) -> "Quadrant | None":
        if interest is None or influence is None:
            return None
        threshold = grid_threshold()
        high_interest, high_influence = interest >= threshold, influence >= threshold
        if high_interest:
            return cls.INVOLVE if high_influence else cls.CONSULT
        return cls.INFORM if high_influence else cls.WATCH


def quadrant_expression(prefix: str = "") -> models.Case:
    """The quadrant as a database expression, so listing, filtering and counting by
    quadrant stay in SQL."""
    threshold = grid_threshold()
    interest, influence = f"{prefix}interest", f"{prefix}influence"
    return models.Case(
        models.When(
            **{f"{interest}__gte": threshold, f"{influence}__gte": threshold},
            then=models.Value(Quadrant.INVOLVE.value),
        ),
        models.When(**{f"{interest}__gte": threshold}, then=models.Value(Quadrant.CONSULT.value)),
        models.When(**{f"{influence}__gte": threshold}, then=models.Value(Quadrant.INFORM.value)),
        models.When(**{f"{interest}__isnull": False}, then=models.Value(Quadrant.WATCH.value)),
        default=models.Value(""),
        output_field=models.CharField(max_length=16),
    )


class StakeholderQuerySet(models.QuerySet):
    def with_quadrant(self):
        return self.annotate(current_quadrant=quadrant_expression())

    def in_quadrant(self, quadrant: str):
        return self.with_quadrant().filter(current_quadrant=quadrant)

    def assessed(self):
        return self.filter(interest__isnull=False, influence__isnull=False)

    def action_overdue(self, on=None):
        from django.utils import timezone

        return self.filter(next_action_due__lt=on or timezone.localdate())


class StakeholderTag(TaggedItemBase):
    content_object = ParentalKey(
        "engagement.Stakeholder", on_delete=models.CASCADE, related_name="tagged_items"
    )


class Stakeholder(index.Indexed, ClusterableModel):
    """A person or organisation who matters to the initiative, placed on the
    interest/influence grid (guide section 8, Figure 2) to decide how to engage them.

    ``interest`` and ``influence`` are copies of the latest assessment, written only by
    ``engagement.services.stakeholder_assess``; the quadrant is derived from them.
    """

    class Type(models.TextChoices):
        COMMUNITY_LEADER = "community_leader", "Community leader"
        ELECTED_MEMBER = "elected_member", "Elected member"
        RESIDENT_GROUP = "resident_group", "Residents' group"
        PARTNER_PROFESSIONAL = "partner_professional", "Partner professional"
        NEIGHBOURING_AREA = "neighbouring_area", "Neighbouring-area representative"
        FAITH_GROUP = "faith_group", "Faith group"
        YOUTH_GROUP = "youth_group", "Youth group"
        LOCAL_BUSINESS = "local_business", "Local business"
        MEDIA = "media", "Media"
        OTHER = "other", "Other"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone"
        POST = "post", "Post"
        IN_PERSON = "in_person", "In person"

    class LawfulBasis(models.TextChoices):
        """UK GDPR article 6 bases that fit holding a stakeholder's contact details."""

        CONSENT = "consent", "Consent"
        LEGITIMATE_INTERESTS = "legitimate_interests", "Legitimate interests"
        PUBLIC_TASK = "public_task", "Public task"
        CONTRACT = "contract", "Contract"

    name = models.CharField(max_length=200)
    organisation = models.CharField(max_length=200, blank=True)
    position = models.CharField(max_length=200, blank=True, help_text="Role or job title.")
    stakeholder_type = models.CharField("type", max_length=32, choices=Type.choices)
    areas = ParentalManyToManyField(Area, blank=True, related_name="stakeholders")
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True)
    preferred_channel = models.CharField(max_length=16, choices=Channel.choices, blank=True)
    lawful_basis = models.CharField(
        max_length=32,
        choices=LawfulBasis.choices,
        help_text="Why Signpost may hold this stakeholder's details.",
    )
    consent_to_contact = models.BooleanField(
        default=False, help_text="The stakeholder agreed to be contacted by the initiative."
    )
    consent_recorded_on = models.DateField(null=True, blank=True)
    newsletter_list = models.BooleanField(
        "on the newsletter list", default=False, help_text="Receives the initiative's newsletter."
    )
    notes = models.TextField(blank=True)
    tags = ClusterTaggableManager(through=StakeholderTag, blank=True)

    # Written only by the services, never typed in.
    interest = models.PositiveSmallIntegerField(null=True, editable=False)
    influence = models.PositiveSmallIntegerField(null=True, editable=False)
    assessed_on = models.DateField(null=True, editable=False)
    last_engaged_on = models.DateField(null=True, editable=False)
    next_action_due = models.DateField(null=True, editable=False, db_index=True)
    overdue_reminded_for = models.DateField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StakeholderQuerySet.as_manager()

    # Indexed by engagement.search's receivers, which an import can defer to one bulk write.
    search_auto_update = False
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("organisation"),
        index.AutocompleteField("organisation"),
        index.SearchField("notes"),
        index.FilterField("stakeholder_type"),
    ]

    CONTACT_FIELDS = ("email", "phone", "address", "preferred_channel")

    class Meta:
        ordering = ["name", "organisation"]
        permissions = [
            ("view_stakeholder_contact", "Can see stakeholders' contact details"),
            ("view_stakeholder_grid", "Can see the stakeholder grid and counts"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(interest__isnull=True) | models.Q(interest__range=(1, 5)),
                name="stakeholder_interest_1_to_5",
            ),
            models.CheckConstraint(
                condition=models.Q(influence__isnull=True) | models.Q(influence__range=(1, 5)),
                name="stakeholder_influence_1_to_5",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.organisation})" if self.organisation else self.name

    @property
    def quadrant(self) -> Quadrant | None:
        return Quadrant.for_scores(self.interest, self.influence)

    def quadrant_label(self) -> str:
        quadrant = self.quadrant
        return quadrant.label if quadrant else "Not yet scored"

    def areas_label(self) -> str:
        return ", ".join(area.name for area in self.areas.all())

    def clean(self):
        errors = {}
        if self.consent_to_contact and not self.consent_recorded_on:
            errors["consent_recorded_on"] = "Record the date the stakeholder gave consent."
        if self.lawful_basis == self.LawfulBasis.CONSENT and not self.consent_to_contact:
            errors["consent_to_contact"] = (
                "The lawful basis is consent, so the stakeholder's consent must be recorded."
            )
        if errors:
            raise ValidationError(errors)


class StakeholderAssessment(models.Model):
    """One dated scoring of a stakeholder's interest and influence, with who scored it
    and why. The register's history and each stakeholder's trail on the grid come from
    these rows."""

    stakeholder = models.ForeignKey(
        Stakeholder, on_delete=models.CASCADE, related_name="assessments"
    )
    interest = models.PositiveSmallIntegerField(
        choices=INTEREST_CHOICES, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    influence = models.PositiveSmallIntegerField(
        choices=INFLUENCE_CHOICES, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    assessed_on = models.DateField()
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(help_text="Why the scores are what they are, or why they changed.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_on", "-created_at"]
        get_latest_by = ["assessed_on", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(interest__range=(1, 5)), name="assessment_interest_1_to_5"
            ),
            models.CheckConstraint(
                condition=models.Q(influence__range=(1, 5)), name="assessment_influence_1_to_5"
            ),
        ]

    def __str__(self):
        return f"{self.stakeholder.name}: interest {self.interest}, influence {self.influence} ({self.assessed_on:%d %b %Y})"

    @property
    def quadrant(self) -> Quadrant:
        return Quadrant.for_scores(self.interest, self.influence)


class StakeholderAlert(models.Model):
    """A watched or informed stakeholder whose interest rose across the threshold, or by
    two points or more: time for a new strategy. One row per rising assessment, so the
    communications officers are told once per rise, not at every save."""

    class Reason(models.TextChoices):
        CROSSED_THRESHOLD = "crossed_threshold", "Interest rose across the threshold"
        ROSE_TWO_POINTS = "rose_two_points", "Interest rose by two points or more"

    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.CASCADE, related_name="alerts")
    assessment = models.OneToOneField(
        StakeholderAssessment, on_delete=models.CASCADE, related_name="alert"
    )
    reason = models.CharField(max_length=32, choices=Reason.choices)
    from_interest = models.PositiveSmallIntegerField()
    to_interest = models.PositiveSmallIntegerField()
    from_quadrant = models.CharField(max_length=16, choices=Quadrant.choices)
    to_quadrant = models.CharField(max_length=16, choices=Quadrant.choices)
    raised_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-raised_at"]

    def __str__(self):
        return f"{self.stakeholder.name}: interest {self.from_interest} → {self.to_interest}"


class ConcernTheme(models.Model):
    """A theme of concern raised by residents (e.g. 'dealing in the street'), so door-to-door
    sessions and forum meetings can be counted by theme without recording who said what."""

    name = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class EngagementQuerySet(models.QuerySet):
    def follow_up_open(self):
        return self.filter(follow_up_due__isnull=False, follow_up_done_on__isnull=True)

    def follow_up_overdue(self, on=None):
        from django.utils import timezone

        return self.follow_up_open().filter(follow_up_due__lt=on or timezone.localdate())


class Engagement(models.Model):
    """One logged interaction with stakeholders or residents (guide section 8, 'Modes of
    communication'). Door-to-door sessions and forum meetings record counts and themes
    only: never a resident's name, address or anything that identifies them."""

    class Mode(models.TextChoices):
        ONE_TO_ONE = "one_to_one", "One-to-one meeting"
        FORUM_MEETING = "forum_meeting", "Community forum meeting"
        PRESENTATION = "presentation", "Presentation"
        DOOR_TO_DOOR = "door_to_door", "Door-to-door session"
        PHONE_CALL = "phone_call", "Phone call"
        EMAIL = "email", "Email"

    # Modes that appear in the activity calendar as delivered when logged.
    CALENDAR_MODES = {
        Mode.ONE_TO_ONE: Activity.Mode.ONE_TO_ONE,
        Mode.FORUM_MEETING: Activity.Mode.FORUM_MEETING,
        Mode.PRESENTATION: Activity.Mode.PRESENTATION,
        Mode.DOOR_TO_DOOR: Activity.Mode.DOOR_TO_DOOR,
    }

    mode = models.CharField(max_length=32, choices=Mode.choices)
    title = models.CharField(
        max_length=200, help_text="A short description, e.g. 'Eastfield PACT meeting'."
    )
    occurred_on = models.DateField("date")
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="engagements"
    )
    operation = models.ForeignKey(
        Operation, null=True, blank=True, on_delete=models.SET_NULL, related_name="engagements"
    )
    place = models.CharField(max_length=200, blank=True, help_text="Venue, for meetings.")
    stakeholders = models.ManyToManyField(
        Stakeholder,
        blank=True,
        related_name="engagements",
        verbose_name="stakeholders present",
        help_text="Register stakeholders who took part. Never residents met door to door.",
    )
    attendance_count = models.PositiveIntegerField(null=True, blank=True)
    streets = models.TextField(blank=True, help_text="Streets covered, one per line.")
    doors_knocked = models.PositiveIntegerField(null=True, blank=True)
    conversations = models.PositiveIntegerField(null=True, blank=True)
    themes = models.ManyToManyField(
        ConcernTheme, blank=True, related_name="engagements", verbose_name="themes of concern"
    )
    issues_raised = models.TextField(
        blank=True, help_text="What was raised. No names or details of residents."
    )
    actions_agreed = models.TextField(blank=True)
    outcome = models.TextField(blank=True)
    follow_up_action = models.CharField(max_length=200, blank=True)
    follow_up_due = models.DateField(null=True, blank=True)
    follow_up_done_on = models.DateField(null=True, blank=True)
    follow_up_reminded_on = models.DateField(null=True, editable=False)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EngagementQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(conversations__isnull=True)
                | models.Q(doors_knocked__isnull=True)
                | models.Q(conversations__lte=models.F("doors_knocked")),
                name="engagement_conversations_within_doors",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.occurred_on:%d %b %Y})"

    def stakeholders_label(self) -> str:
        return ", ".join(s.name for s in self.stakeholders.all())

    def themes_label(self) -> str:
        return ", ".join(t.name for t in self.themes.all())

    def clean(self):
        from django.utils import timezone

        errors = {}
        if self.occurred_on and self.occurred_on > timezone.localdate():
            errors["occurred_on"] = (
                "An engagement is logged once it has happened; plan future ones in the "
                "activity calendar."
            )
        if self.mode == self.Mode.DOOR_TO_DOOR:
            if not self.area_id:
                errors["area"] = "Say which area the door-to-door session covered."
            if self.doors_knocked is None:
                errors["doors_knocked"] = "Record how many doors were knocked."
            if (
                self.doors_knocked is not None
                and self.conversations is not None
                and self.conversations > self.doors_knocked
            ):
                errors["conversations"] = "There cannot be more conversations than doors knocked."
        if self.mode == self.Mode.FORUM_MEETING:
            if not self.area_id:
                errors["area"] = "Say which area the forum meeting served."
            if self.attendance_count is None:
                errors["attendance_count"] = "Record how many people attended."
        if self.follow_up_due and not self.follow_up_action:
            errors["follow_up_action"] = "Say what the follow-up is."
        if self.follow_up_action and not self.follow_up_due:
            errors["follow_up_due"] = "Give the follow-up a due date."
        if self.follow_up_due and self.occurred_on and self.follow_up_due < self.occurred_on:
            errors["follow_up_due"] = "The follow-up cannot be due before the engagement."
        if self.follow_up_done_on and self.follow_up_done_on > timezone.localdate():
            errors["follow_up_done_on"] = "A follow-up cannot be done in the future."
        if errors:
            raise ValidationError(errors)


# --- Communication plan, newsroom and press releases ---------------------------------
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

    def get_context(self, request, *args, **kwargs):
        from .selectors import activity_plan_summary, plan_audiences

        context = super().get_context(request, *args, **kwargs)
        context["audiences"] = plan_audiences()
        context["calendar"] = activity_plan_summary()
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
    from django.contrib.auth.models import Group
    from signpost.roles import ROLES

    restriction = PageViewRestriction.objects.filter(
        page=page, restriction_type=PageViewRestriction.GROUPS
    ).first()
    if restriction is None:
        PageViewRestriction.objects.filter(page=page).delete()
        restriction = PageViewRestriction.objects.create(
            page=page, restriction_type=PageViewRestriction.GROUPS
        )
    restriction.groups.set(Group.objects.filter(name__in=ROLES))


class NewsroomPage(RoutablePageMixin, Page):
    """Where the initiative's press releases are published, with RSS and Atom feeds."""

    introduction = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("introduction")]
    parent_page_types = ["signpost.HomePage"]
    subpage_types = ["engagement.PressReleasePage"]
    max_count = 1

    class Meta:
        verbose_name = "newsroom"

    def permissions_for_user(self, user):
        return NewsroomPermissionTester(user, self)

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if self.pk:
            from .services import newsroom_assign_workflow

            newsroom_assign_workflow(newsroom=self)

    def releases(self):
        return (
            PressReleasePage.objects.live()
            .public()
            .child_of(self)
            .order_by("-first_published_at", "-pk")
        )

    def get_context(self, request, *args, **kwargs):
        from django.core.paginator import Paginator

        context = super().get_context(request, *args, **kwargs)
        paginator = Paginator(self.releases().select_related("area", "operation"), 10)
        context["releases"] = paginator.get_page(request.GET.get("page"))
        return context

    @path("feed/rss/", name="rss")
    def rss_feed(self, request):
        from .feeds import PressReleaseRssFeed

        return PressReleaseRssFeed(self)(request)

    @path("feed/atom/", name="atom")
    def atom_feed(self, request):
        from .feeds import PressReleaseAtomFeed

        return PressReleaseAtomFeed(self)(request)


class PressReleaseNotSignedOff(PermissionDenied):
    """A press release was to go live, or be scheduled, without a completed sign-off."""


class PressReleasePage(RoutablePageMixin, Page):
    """A press release. The press is a double-edged sword (guide, section 8), so a
    release goes out only after the co-ordinator's review and the spokesperson's
    approval, at its embargo time (Wagtail's go-live time) and not a second before."""

    summary = models.TextField(help_text="One or two sentences: the story in brief.")
    body = StreamField(BodyBlock(), use_json_field=True)
    operation = models.ForeignKey(
        Operation, null=True, blank=True, on_delete=models.SET_NULL, related_name="press_releases"
    )
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="press_releases"
    )
    spokesperson_quote = models.TextField(blank=True)
    quote_attribution = models.CharField(
        max_length=200, blank=True, help_text="Name and role of the spokesperson quoted."
    )
    notes_to_editors = RichTextField(features=RICH_TEXT_FEATURES, blank=True)
    media_contact_name = models.CharField(max_length=120, blank=True)
    media_contact_phone = models.CharField(max_length=40, blank=True)
    media_contact_email = models.EmailField(blank=True)

    content_panels = [
        FieldPanel("title", heading="Headline"),
        FieldPanel("summary"),
        FieldPanel("body"),
        MultiFieldPanel([FieldPanel("operation"), FieldPanel("area")], "Related to"),
        MultiFieldPanel(
            [FieldPanel("spokesperson_quote"), FieldPanel("quote_attribution")],
            "Spokesperson quote",
        ),
        FieldPanel("notes_to_editors"),
        MultiFieldPanel(
            [
                FieldPanel("media_contact_name"),
                FieldPanel("media_contact_phone"),
                FieldPanel("media_contact_email"),
            ],
            "Media contact",
        ),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
    ]
    parent_page_types = ["engagement.NewsroomPage"]
    subpage_types: list = []
    base_form_class = PressReleaseForm

    class Meta:
        verbose_name = "press release"

    def permissions_for_user(self, user):
        return PressReleasePermissionTester(user, self)

    def publish(self, revision, user=None, log_action=True, **kwargs):
        """Nothing goes public unsigned: only the revision that completed both sign-off
        steps goes live or is scheduled, whoever asks (superusers and the scheduler too).
        The completed sign-off is the permission, so Wagtail's own check is skipped."""
        from .selectors import press_release_sign_off
        from .services import press_release_publish_refuse

        if press_release_sign_off(revision=revision) is None:
            return press_release_publish_refuse(
                release=self,
                revision=revision,
                user=user,
                door="scheduled" if log_action == "wagtail.publish.scheduled" else "publish",
            )
        kwargs["skip_permission_checks"] = True
        return super().publish(revision, user=user, log_action=log_action, **kwargs)

    def save(self, *args, **kwargs):
        """The last line of defence: a release row never turns live (publishing, a copy
        kept live, a shell) unless its live revision completed sign-off."""
        update_fields = kwargs.get("update_fields")
        if self.live and (update_fields is None or {"live", "live_revision"} & set(update_fields)):
            from .selectors import press_release_going_live_is_signed_off

            if not press_release_going_live_is_signed_off(release=self):
                raise PressReleaseNotSignedOff(
                    "A press release goes public only through a completed sign-off."
                )
        return super().save(*args, **kwargs)

    @path("print/", name="print")
    def printable(self, request):
        from django.template.response import TemplateResponse

        return TemplateResponse(
            request, "engagement/press_release_print.html", self.get_context(request)
        )


class PressReleaseApprovalTask(AbstractGroupApprovalTask):
    """A sign-off step for press releases in which nobody passes their own release, and
    nobody passes two steps of one: the person who submitted it, its owner, whoever wrote
    the revision under review and whoever signed the other step are offered no approval
    and are refused if they try. At the last step the approver may set the embargo as
    part of approving (see ``services.press_release_step_prepare``)."""

    def get_actions(self, obj, user):
        if user_is_release_author(obj, user) or user_signed_earlier_step(obj, user):
            return []
        return super().get_actions(obj, user)

    @transaction.atomic
    def on_action(self, task_state, user, action_name, **kwargs):
        from .services import press_release_step_prepare, press_release_step_signed

        release = task_state.workflow_state.content_object
        if user_is_release_author(release, user, task_state):
            raise PermissionDenied("Nobody may approve their own press release.")
        if user_signed_earlier_step(release, user, task_state):
            raise PermissionDenied("One person may not sign off both steps of a press release.")
        if action_name != "approve":
            return super().on_action(task_state, user, action_name, **kwargs)
        task_state = press_release_step_prepare(task_state=task_state, user=user)
        press_release_step_signed(task_state=task_state, user=user)
        return super().on_action(task_state, user, action_name, **kwargs)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        from wagtail.models import TaskState

        signed_other_step = TaskState.objects.filter(
            workflow_state=models.OuterRef("workflow_state"),
            revision=models.OuterRef("revision"),
            status=TaskState.STATUS_APPROVED,
            finished_by=user,
        )
        states = super().get_task_states_user_can_moderate(user, **kwargs)
        return (
            states.exclude(workflow_state__requested_by=user)
            .exclude(revision__user=user)
            .exclude(models.Exists(signed_other_step))
        )

    @classmethod
    def get_description(cls):
        return (
            "Members of the chosen groups sign the release off; never its own author, and "
            "never the person who signed the other step."
        )

    class Meta:
        verbose_name = "press release sign-off task"
        verbose_name_plural = "press release sign-off tasks"


class PressReleaseSignOff(models.Model):
    """The record that a revision of a release completed both steps of sign-off, by whom
    and with which embargo. Publishing checks the revision against it (and its content
    against the fingerprint taken at sign-off), so only what was signed goes public."""

    release = models.ForeignKey(
        PressReleasePage, on_delete=models.CASCADE, related_name="sign_offs"
    )
    revision = models.OneToOneField(
        "wagtailcore.Revision", on_delete=models.CASCADE, related_name="press_release_sign_off"
    )
    workflow_state = models.ForeignKey(
        "wagtailcore.WorkflowState", null=True, blank=True, on_delete=models.SET_NULL
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who passed the first step (co-ordinator review).",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who passed the last step (spokesperson approval).",
    )
    go_live_at = models.DateTimeField(null=True, blank=True, help_text="The embargo signed off.")
    fingerprint = models.CharField(max_length=64)
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-signed_at", "-pk"]
        get_latest_by = ["signed_at", "pk"]

    def __str__(self):
        return f"{self.release} signed off at {self.signed_at:%Y-%m-%d %H:%M}"


class PressReleaseMailing(models.Model):
    """One media contact's copy of one published release: the ledger that makes the
    on-publication email go out once per contact, however often the task runs."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    release = models.ForeignKey(PressReleasePage, on_delete=models.CASCADE, related_name="mailings")
    email = models.EmailField()
    name = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["release", "email"]
        constraints = [
            models.UniqueConstraint(fields=["release", "email"], name="one_mailing_per_contact")
        ]

    def __str__(self):
        return f"{self.release} → {self.email}"


class MediaEnquiryQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=MediaEnquiry.OPEN_STATUSES)

    def overdue(self, now=None):
        return self.open().filter(deadline__lt=now or timezone.now())


class MediaEnquiry(index.Indexed, models.Model):
    """A journalist's question, answered under the plan's media-enquiry protocol by the
    person the protocol names, before the outlet's deadline (guide, sections 3 and 4)."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        IN_HAND = "in_hand", "Being handled"
        ANSWERED = "answered", "Answered"
        DECLINED = "declined", "Declined to comment"
        REFERRED = "referred", "Referred to a partner"

    OPEN_STATUSES = (Status.NEW, Status.IN_HAND)

    received_at = models.DateTimeField(default=timezone.now, verbose_name="received")
    outlet = models.CharField(max_length=160)
    journalist = models.CharField(max_length=160)
    journalist_contact = models.CharField(
        max_length=200, blank=True, help_text="Telephone or email to reply to."
    )
    question = models.TextField()
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="media_enquiries",
        help_text="Who answers, under the plan's media-enquiry protocol.",
    )
    protocol_subject = models.CharField(
        max_length=200, blank=True, help_text="Which line of the protocol applies."
    )
    deadline = models.DateTimeField(help_text="When the outlet needs an answer.")
    operation = models.ForeignKey(
        Operation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    release = models.ForeignKey(
        PressReleasePage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enquiries",
        help_text="The release the enquiry follows, if any.",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    response = models.TextField(blank=True, help_text="What was said, on the record.")
    responded_at = models.DateTimeField(null=True, blank=True)

    objects = MediaEnquiryQuerySet.as_manager()

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("received_at"),
                FieldPanel("outlet"),
                FieldPanel("journalist"),
                FieldPanel("journalist_contact"),
            ],
            "Enquiry",
        ),
        FieldPanel("question"),
        MultiFieldPanel(
            [
                FieldPanel("protocol_subject"),
                FieldPanel("handler"),
                FieldPanel("deadline"),
                FieldPanel("operation"),
                FieldPanel("release"),
            ],
            "Handling under the protocol",
        ),
        MultiFieldPanel(
            [FieldPanel("status"), FieldPanel("response"), FieldPanel("responded_at")],
            "Response",
        ),
    ]
    search_fields = [
        index.SearchField("outlet"),
        index.SearchField("journalist"),
        index.SearchField("question"),
        index.AutocompleteField("outlet"),
    ]

    class Meta:
        ordering = ["-received_at"]
        verbose_name_plural = "media enquiries"

    def __str__(self):
        return f"{self.outlet}: {self.question[:60]}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.deadline < timezone.now()

    def clean(self):
        errors = {}
        if self.deadline and self.received_at and self.deadline < self.received_at:
            errors["deadline"] = "The deadline cannot be before the enquiry was received."
        if self.status in (self.Status.ANSWERED, self.Status.DECLINED) and not self.response:
            errors["response"] = "Record what was said (or that we declined to comment)."
        if self.status == self.Status.ANSWERED and not self.responded_at:
            self.responded_at = timezone.now()
        if errors:
            raise ValidationError(errors)
