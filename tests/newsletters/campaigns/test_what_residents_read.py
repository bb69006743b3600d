"""What a campaign email says agrees with what it links to and with its preview: the
plain-text part greets as the HTML part does, a survey invitation states the survey's
length from its questions, "read this on the website" opens the version the approver
signed off, and the editor's email preview is styled under a Content-Security-Policy
that allows its own styles and nothing else."""

import base64
import hashlib
import re
from html.parser import HTMLParser

import pytest
from django.core import mail
from signpost.models import HomePage
from wagtail.test.utils.form_data import nested_form_data, streamfield

from newsletters.campaigns import services as campaign_services
from newsletters.campaigns.email import (
    approved_version_url,
    render_newsletter_email,
    sample_merge_values,
)
from newsletters.models import Campaign, NewsletterPage
from tests.surveys.factories import SurveyWaveFactory, survey_page_create

from ..factories import CampaignFactory, SubscriberFactory, make_newsletter

pytestmark = pytest.mark.django_db


def html_text(markup: str) -> str:
    body = markup[markup.index("<body") :]
    body = re.sub(r"<(style|title)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def first_line(text: str) -> str:
    return text.strip().splitlines()[0]


# --- greetings -------------------------------------------------------------------------


def test_every_email_with_an_html_part_greets_first_in_its_plain_text_too(
    client, run_commits, comms_officer, approver, eastfield
):
    from newsletters.subscribers import services as subscriber_services

    run_commits(lambda: subscriber_services.subscriber_sign_up(email="sam@example.org", name="Sam"))
    subscriber = SubscriberFactory(area=eastfield, name="Alex", email="alex@example.org")
    run_commits(lambda: subscriber_services.subscriber_sign_up(email=subscriber.email))
    campaign = CampaignFactory(created_by=comms_officer, areas=[eastfield])
    client.force_login(comms_officer)
    client.post(
        f"/admin/newsletters/campaigns/{campaign.pk}/test/", {"addresses": "editor@example.org"}
    )
    campaign_services.campaign_approve(campaign=campaign, user=approver)
    client.force_login(approver)
    run_commits(
        lambda: client.post(
            f"/admin/newsletters/campaigns/{campaign.pk}/send/", {"confirmed": "yes"}
        )
    )
    with_html = [m for m in mail.outbox if m.alternatives]
    assert len(with_html) >= 4  # confirmation, already subscribed, test send, the send
    for message in with_html:
        text = message.body
        html = message.alternatives[0][0]
        merge = getattr(message, "merge_data", None) or {}
        values = merge.get(message.to[0], {})
        for field, value in values.items():
            text = text.replace(f"%recipient.{field}%", str(value))
            html = html.replace(f"%recipient.{field}%", str(value))
        greeting = first_line(text).split(",")[0]
        assert greeting.startswith("Hello"), (message.subject, text[:200])
        # The HTML part's first words after the preheader and the masthead.
        assert f"{greeting}," in html_text(html)[:200], message.subject


def test_the_campaign_email_greets_by_name_in_both_parts():
    rendered = render_newsletter_email(make_newsletter(title="Spring update"))
    text = rendered.text_for(sample_merge_values())
    html = rendered.html_for(sample_merge_values())
    assert first_line(text).startswith("Hello Alex, read this on the website: http")
    assert "Hello Alex, read this on the website" in html_text(html)


# --- survey length -----------------------------------------------------------------------


def _invitation(**value):
    return (
        "survey_invitation",
        {
            "heading": "How safe does your street feel?",
            "text": "It is anonymous.",
            "page": None,
            "url": "",
            "button_text": "Take the survey",
            **value,
        },
    )


def test_a_survey_invitation_states_the_survey_s_own_length_everywhere(client):
    survey = survey_page_create(title="Harbridge residents' survey")
    wave = SurveyWaveFactory(survey=survey, slug="eastfield-after")
    by_page = make_newsletter(title="By page", body=[_invitation(page=survey)])
    by_address = make_newsletter(
        title="By address", body=[_invitation(url=f"http://testserver{wave.public_path}")]
    )
    for newsletter in (by_page, by_address):
        web = client.get(newsletter.url).content.decode()
        rendered = render_newsletter_email(newsletter)
        assert survey.length_text in web
        assert survey.length_text in rendered.html
        assert survey.length_text in rendered.text


def test_a_survey_invitation_stating_a_length_is_refused(client, comms_officer):
    home = HomePage.objects.get()
    client.force_login(comms_officer)
    data = nested_form_data(
        {
            "title": "Stated length",
            "slug": "stated-length",
            "introduction": "",
            "area": "",
            "body": streamfield(
                [
                    (
                        "survey_invitation",
                        {
                            "heading": "Survey",
                            "text": "Five questions, two minutes.",
                            "page": "",
                            "url": "https://example.org/survey/x/",
                            "button_text": "Go",
                        },
                    )
                ]
            ),
        }
    )
    response = client.post(f"/admin/pages/add/newsletters/newsletterpage/{home.pk}/", data)
    assert response.status_code == 200
    assert "Leave out how long the survey takes" in response.content.decode()
    assert not NewsletterPage.objects.exists()


# --- read this on the website ------------------------------------------------------------


def reword_paragraph(newsletter, user, *, publish: bool):
    page = newsletter.get_latest_revision_as_object()
    page.body = [
        ("heading", "Arrests on Mill Lane"),
        ("paragraph", "<p>Wording nobody signed off.</p>"),
    ]
    revision = page.save_revision(user=user)
    if publish:
        revision.publish(user=user)


def web_link(text: str) -> str:
    url = re.search(r"read this on the website: (\S+)", text).group(1)
    return url.split("testserver", 1)[1]


@pytest.mark.parametrize("publish", [False, True])
def test_read_on_the_website_shows_the_approved_wording(
    client, run_commits, comms_officer, approver, eastfield, publish
):
    SubscriberFactory.create_batch(2, area=eastfield)
    campaign = CampaignFactory(created_by=comms_officer, areas=[eastfield])
    campaign_services.campaign_approve(campaign=campaign, user=approver)
    reword_paragraph(campaign.newsletter, comms_officer, publish=publish)

    client.force_login(comms_officer)
    preview = client.get(
        f"/admin/newsletters/campaigns/{campaign.pk}/preview/", {"format": "text"}
    ).content.decode()
    client.force_login(approver)
    run_commits(
        lambda: client.post(
            f"/admin/newsletters/campaigns/{campaign.pk}/send/", {"confirmed": "yes"}
        )
    )
    [sent] = [m for m in mail.outbox if not m.subject.startswith("[Test]")]
    client.logout()
    for path in {web_link(preview), web_link(sent.body)}:
        page = client.get(path)
        html = page.content.decode()
        assert page.status_code == 200
        assert "drug line" in html and "Wording nobody signed off" not in html
        assert "as it was emailed" in html and page["X-Robots-Tag"] == "noindex"
    # The live page is what was published since, if anything was.
    live = client.get(campaign.newsletter.url).content.decode()
    assert ("Wording nobody signed off" in live) is publish


def test_the_approved_version_link_cannot_be_forged_or_outlive_the_page(
    client, comms_officer, approver, eastfield
):
    SubscriberFactory(area=eastfield)
    campaign = CampaignFactory(created_by=comms_officer, areas=[eastfield])
    campaign_services.campaign_approve(campaign=campaign, user=approver)
    campaign = Campaign.objects.get(pk=campaign.pk)
    url = approved_version_url(campaign.pk, campaign.approved_revision_id)
    path = url.split("testserver", 1)[1]
    assert client.get(path).status_code == 200
    # Another version of the page (an unapproved draft) cannot be reached by changing ids.
    draft = campaign.newsletter.save_revision(user=comms_officer)
    token = path.rstrip("/").rsplit("/", 1)[1]
    payload, signature = token.split(":", 1)
    ids = base64.urlsafe_b64encode(f"[{campaign.pk},{draft.pk}]".encode()).rstrip(b"=")
    forged = f"{ids.decode()}:{signature}"
    assert forged != token
    assert client.get(f"/newsletters/as-emailed/{forged}/").status_code == 404
    other = approved_version_url(campaign.pk, draft.pk + 1000).split("testserver", 1)[1]
    assert client.get(other).status_code == 404
    # Once the newsletter is unpublished, the emailed copy goes too.
    campaign.newsletter.unpublish()
    assert client.get(path).status_code == 404


# --- the email preview's Content-Security-Policy ------------------------------------------


class _Styles(HTMLParser):
    def __init__(self):
        super().__init__()
        self.attributes, self.elements, self._in = set(), [], False

    def handle_starttag(self, tag, attrs):
        self.attributes |= {v for k, v in attrs if k == "style"}
        self._in = tag == "style"

    def handle_data(self, data):
        if self._in:
            self.elements.append(data)

    def handle_endtag(self, tag):
        self._in = False


def sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def assert_own_styles_only(response):
    policy = response["Content-Security-Policy"]
    directives = dict(
        (part.split(" ", 1) + [""])[:2] for part in (p.strip() for p in policy.split(";"))
    )
    styles = _Styles()
    styles.feed(response.content.decode())
    assert styles.attributes and styles.elements
    allowed = set(directives["style-src"].split())
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-hashes'" in allowed
    assert {sha256(s) for s in styles.attributes | set(styles.elements)} <= allowed
    assert directives["default-src"] == "'none'" and "script-src" not in directives
    assert directives["form-action"] == "'none'" and directives["base-uri"] == "'none'"


def test_the_editor_s_email_preview_allows_its_own_styles_and_nothing_else(client, comms_officer):
    page = make_newsletter(title="Preview me")
    client.force_login(comms_officer)
    preview_url = f"/admin/pages/{page.pk}/edit/preview/"
    data = nested_form_data(
        {
            "title": "Preview me",
            "slug": page.slug,
            "introduction": "",
            "area": "",
            "body": streamfield([("heading", "Styled")]),
        }
    )
    assert client.post(preview_url, data).json()["is_valid"] is True
    assert_own_styles_only(client.get(preview_url, {"mode": "email"}))
    # The web page preview keeps the site's policy.
    web = client.get(preview_url, {"mode": ""})
    assert "style-src 'self'" in web["Content-Security-Policy"]


def test_the_campaign_preview_allows_its_own_styles_and_nothing_else(
    client, comms_officer, campaign
):
    client.force_login(comms_officer)
    assert_own_styles_only(client.get(f"/admin/newsletters/campaigns/{campaign.pk}/preview/"))
