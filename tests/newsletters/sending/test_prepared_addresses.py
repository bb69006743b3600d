"""Campaign batches give anymail's Mailgun backend their addresses already parsed
(``campaign_backends.mailgun``): the payload must be the one anymail builds from the
address strings, an address anymail would refuse or read as another is left out and
recorded, and the rest of its batch still goes."""

import types

import pytest
import requests
from anymail.exceptions import AnymailInvalidAddress
from anymail.utils import parse_single_address
from django.core.mail import get_connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from requests.models import RequestEncodingMixin

from newsletters.campaign_backends import Recipient
from newsletters.campaign_backends.anymail import AnymailBatchBackend
from newsletters.campaign_backends.mailgun import (
    PreparedMailgunPayload,
    form_urlencoded,
    prepared_address,
)
from newsletters.models import Campaign, Delivery, Subscriber
from newsletters.sending import services as sending_services

from .test_mailgun_sending import mailgun, ready  # noqa: F401 (fixtures)

MAILGUN = "anymail.backends.mailgun.EmailBackend"
PREPARED = "newsletters.campaign_backends.mailgun.PreparedMailgunBackend"
CAMPAIGN = types.SimpleNamespace(
    pk=7,
    rendered_subject="News for {{ name }}",
    rendered_text="Hello {{ name }}. Leave: {{ unsubscribe_url }}",
    rendered_html="<p>Hello {{ name }}</p>",
)


def _recipients(emails):
    return [
        Recipient(
            delivery_id=n,
            email=email,
            merge_values={
                "name": f"Resident {n}",
                "name_html": f"Resident {n}",
                "unsubscribe_url": f"https://signpost.example.org/u/{n}/",
                "preferences_url": f"https://signpost.example.org/p/{n}/",
            },
        )
        for n, email in enumerate(emails)
    ]


def _payload(backend_path, emails):
    connection = get_connection(backend_path, api_key="key-test", sender_domain="mg.example.org")
    batch = AnymailBatchBackend()._batch(CAMPAIGN, _recipients(emails), connection)
    payload = connection.build_message_payload(batch.message, connection.send_defaults)
    return batch, payload


# Stored addresses are lower case (Subscriber.save); hypothesis's emails() are RFC 5322's
# dot-atom addresses with every character it allows; the rest are the awkward shapes.
stored_addresses = st.one_of(
    st.emails().map(str.lower),
    st.sampled_from(
        [
            '"two words"@example.org',
            "jörg@example.org",
            "resident@exämple.org",
            "x@[192.0.2.1]",
            "no-at-sign",
            "",
            "a..b@example.org",
            "line\nbreak@example.org",
            "first@example.org, second@example.org",
            "Name <named@example.org>",
        ]
    ),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(stored_addresses, min_size=1, max_size=6, unique=True))
def test_prepared_addresses_give_mailgun_the_payload_anymail_builds_from_the_strings(emails):
    plain_batch, plain = _payload(MAILGUN, emails)
    prepared_batch, prepared = _payload(PREPARED, emails)

    assert isinstance(prepared, PreparedMailgunPayload)
    assert prepared_batch.invalid == plain_batch.invalid
    assert prepared.serialize_data() == plain.serialize_data()
    assert [a.addr_spec for a in prepared.all_recipients] == prepared_batch.emails
    # And the request that goes out is the one requests would have made of it.
    plain_request, prepared_request = (
        requests.Request(**payload.get_request_params("https://api.example/v3/")).prepare()
        for payload in (plain, prepared)
    )
    assert prepared_request.body == plain_request.body.encode()
    assert prepared_request.headers == plain_request.headers
    # Left out means anymail refuses it, or would send to some other address.
    for email in prepared_batch.invalid:
        try:
            parsed = parse_single_address(email)
        except AnymailInvalidAddress:
            continue
        assert parsed.addr_spec != email or not parsed.domain
    assert set(prepared_batch.emails) | set(prepared_batch.invalid) == set(emails)


form_values = st.one_of(st.none(), st.integers(), st.text(), st.binary())


@settings(max_examples=500, deadline=None)
@given(
    st.dictionaries(
        st.text(), st.one_of(form_values, st.lists(form_values, max_size=4)), max_size=6
    )
)
def test_the_form_is_encoded_byte_for_byte_as_requests_encodes_it(data):
    assert form_urlencoded(data) == RequestEncodingMixin._encode_params(data).encode()


def test_plain_addresses_are_not_given_to_the_address_parser(monkeypatch):
    import anymail.utils

    parsed = []
    real = anymail.utils.getaddresses

    def spy(values):
        parsed.extend(values)
        return real(values)

    monkeypatch.setattr(anymail.utils, "getaddresses", spy)
    emails = ["one@example.org", "two.more+tag@example.org"]
    _, payload = _payload(PREPARED, emails)
    assert payload.data["to"] == emails
    assert not set(parsed) & set(emails)  # only the sender's address was parsed

    parsed.clear()
    _payload(MAILGUN, emails)
    assert set(parsed) >= set(emails)  # the plain backend parses each one


def test_prepared_address_keeps_the_stored_spelling():
    assert prepared_address("resident@example.org").addr_spec == "resident@example.org"
    assert prepared_address('"two words"@example.org').addr_spec == '"two words"@example.org'
    for bad in ["no-at-sign", "", "line\nbreak@example.org", "a@example.org, b@example.org"]:
        with pytest.raises(AnymailInvalidAddress):
            prepared_address(bad)


@pytest.mark.django_db
def test_an_invalid_stored_address_is_recorded_and_the_rest_of_its_batch_sent(
    mailgun,  # noqa: F811 (fixture)
    ready,  # noqa: F811 (fixture)
    django_capture_on_commit_callbacks,
):
    campaign, emails = ready
    broken = {emails[1]: "not-an-address", emails[6]: "line\nbreak@example.org"}
    for email, stored in broken.items():
        # Past the form's validation, as an old import or a direct edit could leave it.
        Subscriber.objects.filter(email=email).update(email=stored)
    with django_capture_on_commit_callbacks(execute=True):
        sending_services.campaign_enqueue_chunks(campaign_id=campaign.pk)

    expected = sorted(set(emails) - set(broken))
    assert sorted(mailgun.recipients) == expected
    assert "linebreak@example.org" not in mailgun.recipients  # what the parser reads
    failed = Delivery.objects.filter(status=Delivery.Status.FAILED)
    assert sorted(failed.values_list("subscriber__email", flat=True)) == sorted(broken.values())
    assert set(failed.values_list("error", flat=True)) == {"Not a valid email address"}
    sent = Delivery.objects.filter(status=Delivery.Status.SENT)
    assert sent.count() == len(expected)
    assert all(
        mid.endswith("@mock.mailgun>") for mid in sent.values_list("esp_message_id", flat=True)
    )
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT


def _break_addresses(deliveries):
    """Store addresses past the form's validation, as an old import could leave them."""
    broken = []
    for n, delivery in enumerate(deliveries):
        Subscriber.objects.filter(pk=delivery.subscriber_id).update(email=f"not-an-address-{n}")
        broken.append(f"not-an-address-{n}")
    return broken


@pytest.mark.django_db
def test_a_batch_of_only_invalid_addresses_makes_no_call_and_the_send_goes_on(
    mailgun,  # noqa: F811 (fixture)
    ready,  # noqa: F811 (fixture)
    django_capture_on_commit_callbacks,
):
    campaign, emails = ready
    first_batch = list(Delivery.objects.order_by("pk")[:4])
    kept = set(emails) - {d.subscriber.email for d in first_batch}
    broken = _break_addresses(first_batch)
    with django_capture_on_commit_callbacks(execute=True):
        sending_services.campaign_enqueue_chunks(campaign_id=campaign.pk)

    assert mailgun.calls == 2  # the other two batches; nothing for the broken one
    assert sorted(mailgun.recipients) == sorted(kept)
    failed = Delivery.objects.filter(status=Delivery.Status.FAILED)
    assert sorted(failed.values_list("subscriber__email", flat=True)) == sorted(broken)
    assert set(failed.values_list("error", flat=True)) == {"Not a valid email address"}
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT


@pytest.mark.django_db
def test_an_invalid_address_stays_unsent_when_its_batch_is_retried(
    mailgun,  # noqa: F811 (fixture)
    ready,  # noqa: F811 (fixture)
):
    campaign, _ = ready
    first_batch = list(Delivery.objects.select_related("subscriber").order_by("pk")[:4])
    valid = sorted(d.subscriber.email for d in first_batch[1:])
    (broken,) = _break_addresses(first_batch[:1])
    mailgun.fail_next = [500]
    with pytest.raises(sending_services.ChunkRetry) as retry:
        sending_services.campaign_send_chunk(campaign_id=campaign.pk)
    assert not mailgun.recipients

    sending_services.campaign_send_chunk(campaign_id=campaign.pk, claim=retry.value.claim)
    assert sorted(mailgun.recipients) == valid  # once each, the broken one never
    refused = Delivery.objects.get(pk=first_batch[0].pk)
    assert (refused.status, refused.error) == (Delivery.Status.FAILED, "Not a valid email address")
    assert broken not in mailgun.recipients
