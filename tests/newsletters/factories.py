"""Factories for the newsletters suites."""

import factory
from django.core import mail
from django.utils import timezone
from factory.django import DjangoModelFactory

from newsletters.campaigns import services as campaign_services
from newsletters.models import Campaign, NewsletterPage, Subscriber, Topic
from tests.factories import AreaFactory


class TopicFactory(DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class SubscriberFactory(DjangoModelFactory):
    class Meta:
        model = Subscriber
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"resident{n}@example.org")
    name = factory.Sequence(lambda n: f"Resident {n}")
    postcode = "HB1 4AB"
    area = factory.SubFactory(AreaFactory)
    status = Subscriber.Status.CONFIRMED
    confirmed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)


def make_newsletter(*, title="Spring update", body=None, area=None, publish=True, parent=None):
    """A newsletter page under the home page, published unless told otherwise."""
    from signpost.models import HomePage

    parent = parent or HomePage.objects.get()
    page = NewsletterPage(
        title=title,
        introduction="What has happened in your area this month.",
        area=area,
        body=body
        if body is not None
        else [
            ("heading", "Arrests on Mill Lane"),
            ("paragraph", "<p>Officers closed a <b>drug line</b> on Mill Lane.</p>"),
            (
                "you_said_we_did",
                {"you_said": "Dealing near the school gates.", "we_did": "Daily patrols at 3pm."},
            ),
            (
                "survey_invitation",
                {
                    "heading": "How safe does your street feel?",
                    "text": "It is anonymous.",
                    "page": None,
                    "url": "https://signpost.example.org/survey/eastfield/",
                    "button_text": "Take the survey",
                },
            ),
        ],
    )
    parent.add_child(instance=page)
    revision = page.save_revision()
    if publish:
        revision.publish()
    page.refresh_from_db()
    return page


class CampaignFactory(DjangoModelFactory):
    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Campaign {n}")
    subject = "News from your area"
    newsletter = factory.LazyFunction(make_newsletter)

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create and extracted:
            self.areas.set(extracted)

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)


def approve(campaign, approver):
    return campaign_services.campaign_approve(campaign=campaign, user=approver)


def campaign_recipients() -> list[str]:
    """Who was sent a campaign (not the staff told of its sign-off)."""
    return [
        address
        for message in mail.outbox
        if "sign-off" not in getattr(message, "tags", [])
        for address in message.to
    ]
