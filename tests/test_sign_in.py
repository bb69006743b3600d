"""Staff sign-in: a password alone reaches no admin URL for any role; the second factor is
set up at the first sign-in and asked at every sign-in after; failed passwords and codes
lock out the account and the client at every door; password resets are limited per client
and per address; a superuser unlocks and resets, and both are in the audit log."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.models import ModelLogEntry

from tests.refusals import assert_refused
from tests.sign_in import authenticator, password_only_login, totp_code

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
ROLES = [
    "comms_officer",
    "approver",
    "neighbourhood_officer",
    "analyst",
    "partner_viewer",
    "superuser",
]
# Admin URLs that show personal data, household codes or survey exports, or publish.
SENSITIVE_ADMIN_URLS = [
    "/admin/",
    "/admin/newsletters/subscribers/",
    "/admin/printing/runs/",
    "/admin/pages/",
    "/admin/api/main/pages/",
    "/admin/reports/",
    "/admin/locked-sign-ins/",
]


def sign_in_with_password(client, user, door="/admin/login/", address="127.0.0.1"):
    return client.post(door, {"username": user.username, "password": PASSWORD}, REMOTE_ADDR=address)


def a_few_seconds_later(user):
    """After a wrong code a device refuses every code for a second or two, doubling with
    each failure (django-otp's throttling); this is that pause passing."""
    for device in (TOTPDevice, StaticDevice):
        device.objects.filter(user=user).update(throttling_failure_timestamp=None)


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("door", ["/admin/login/", "/login/"])
def test_a_password_alone_reaches_no_admin_url(client, request, role, door):
    user = request.getfixturevalue(role)
    authenticator(user)
    response = sign_in_with_password(client, user, door)
    assert response.status_code == 302
    for url in SENSITIVE_ADMIN_URLS:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/second-factor/?next="), url
    # The step itself offers sign-out and a code field, nothing else.
    step = client.get("/login/second-factor/")
    assert step.status_code == 200 and 'name="otp_token"' in step.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_the_first_sign_in_sets_up_an_authenticator_app_and_recovery_codes(client, request, role):
    user = request.getfixturevalue(role)
    sign_in_with_password(client, user)
    response = client.get("/admin/pages/")
    step = response["Location"]
    assert client.get(step)["Location"].startswith("/login/second-factor/enrol/")
    enrol = client.get("/login/second-factor/enrol/?next=/admin/pages/")
    html = enrol.content.decode()
    assert enrol.status_code == 200 and "<svg" in html and 'id="totp-secret"' in html
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert device.config_url.split("secret=")[1].split("&")[0] in html.replace(" ", "")

    wrong = client.post("/login/second-factor/enrol/", {"otp_token": "000000"})
    assert "That code did not work" in wrong.content.decode()
    assert client.get("/admin/pages/").status_code == 302
    a_few_seconds_later(user)

    done = client.post(
        "/login/second-factor/enrol/", {"otp_token": totp_code(device), "next": "/admin/pages/"}
    )
    codes = StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    assert len(codes) == 10 and all(code in done.content.decode() for code in codes)
    assert done.status_code == 200 and 'href="/admin/pages/"' in done.content.decode()
    assert client.get("/admin/").status_code == 200
    assert ModelLogEntry.objects.filter(
        action="signpost.second_factor.enrol", object_id=str(user.pk)
    ).exists()


def test_an_enrolled_account_cannot_enrol_another_app_with_its_password(client, comms_officer):
    device = authenticator(comms_officer)
    sign_in_with_password(client, comms_officer)
    response = client.get("/login/second-factor/enrol/")
    assert response["Location"].startswith("/login/second-factor/")
    response = client.post("/login/second-factor/enrol/", {"otp_token": "123456"})
    assert response.status_code == 302
    assert list(TOTPDevice.objects.filter(user=comms_officer)) == [device]


def test_every_sign_in_asks_for_the_code_and_a_recovery_code_works_once(client, approver):
    device = authenticator(approver)
    codes = call_recovery_codes(approver)
    sign_in_with_password(client, approver)
    wrong = client.post("/login/second-factor/", {"otp_token": "999999"})
    assert wrong.status_code == 200 and "That code did not work" in wrong.content.decode()
    assert client.get("/admin/").status_code == 302
    a_few_seconds_later(approver)
    response = client.post("/login/second-factor/", {"otp_token": totp_code(device)})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200

    a_few_seconds_later(approver)
    for attempt in range(2):
        other = Client()
        sign_in_with_password(other, approver)
        response = other.post("/login/second-factor/", {"otp_token": codes[0]})
        assert (other.get("/admin/").status_code == 200) is (attempt == 0)
    assert (
        ModelLogEntry.objects.filter(action="signpost.second_factor.recovery_code_used").count()
        == 1
    )


def call_recovery_codes(user) -> list[str]:
    from signpost.sign_in import recovery_codes_issue

    return recovery_codes_issue(user)


def test_a_signed_in_user_makes_a_new_set_of_recovery_codes(client, analyst):
    old = call_recovery_codes(analyst)
    client.force_login(analyst)
    assert (
        "10</strong> recovery codes"
        in client.get("/admin/account/recovery-codes/").content.decode()
    )
    response = client.post("/admin/account/recovery-codes/")
    new = set(StaticToken.objects.filter(device__user=analyst).values_list("token", flat=True))
    assert new and not new & set(old)
    assert all(code in response.content.decode() for code in new)


def test_a_password_only_session_counts_as_signed_out_on_the_public_site(client, partner_viewer):
    password_only_login(client, partner_viewer)
    response = client.get("/login/?next=/communication-plan/")
    assert response["Location"] == "/login/second-factor/?next=%2Fcommunication-plan%2F"


# --- lockout ------------------------------------------------------------------------------


@pytest.mark.parametrize("door", ["/admin/login/", "/login/"])
def test_thirty_wrong_passwords_then_the_right_one_does_not_sign_in(client, comms_officer, door):
    for _ in range(30):
        client.post(door, {"username": comms_officer.username, "password": "guess"})
    response = sign_in_with_password(client, comms_officer, door)
    assert response.status_code == 429
    assert "Signing in is paused" in response.content.decode()
    assert not signed_in(client)


def test_the_lockout_is_per_account_whichever_address_guesses(client, approver, settings):
    settings.SIGNPOST_TRUSTED_PROXY_COUNT = 0
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/admin/login/",
            {"username": approver.username, "password": "guess"},
            REMOTE_ADDR=f"10.0.0.{n + 1}",
        )
    response = sign_in_with_password(Client(), approver, address="10.9.9.9")
    assert response.status_code == 429


def test_the_lockout_is_per_client_whichever_account_it_guesses(
    client, approver, comms_officer, settings
):
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/admin/login/", {"username": f"guess-{n}", "password": "guess"}, REMOTE_ADDR="10.1.1.1"
        )
    assert sign_in_with_password(client, comms_officer, address="10.1.1.1").status_code == 429
    # Another client signs in as usual.
    assert sign_in_with_password(Client(), comms_officer, address="10.2.2.2").status_code == 302


def test_wrong_codes_at_the_second_factor_lock_out_and_end_the_session(
    client, neighbourhood_officer, settings
):
    device = authenticator(neighbourhood_officer)
    sign_in_with_password(client, neighbourhood_officer)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post("/login/second-factor/", {"otp_token": "000000"}).status_code == 200
    response = client.post("/login/second-factor/", {"otp_token": "000001"})
    assert response.status_code == 429 and not signed_in(client)
    # Locked: neither the password nor, after it, the right code gets in.
    assert sign_in_with_password(client, neighbourhood_officer).status_code == 429
    password_only_login(client, neighbourhood_officer)
    response = client.post("/login/second-factor/", {"otp_token": totp_code(device)})
    assert response.status_code == 429 and not signed_in(client)


def test_the_second_factor_step_is_rate_limited_per_client(client, analyst, settings):
    settings.AXES_FAILURE_LIMIT = 1000
    settings.SIGNPOST_SECOND_FACTOR_ATTEMPTS_PER_HOUR = 5
    device = authenticator(analyst)
    sign_in_with_password(client, analyst)
    for _ in range(5):
        client.post("/login/second-factor/", {"otp_token": "000000"})
    response = client.post("/login/second-factor/", {"otp_token": totp_code(device)})
    assert response.status_code == 429 and not signed_in(client)


# --- password reset -----------------------------------------------------------------------


def test_many_resets_for_one_address_send_few_emails(comms_officer, settings):
    settings.SIGNPOST_PASSWORD_RESETS_PER_CLIENT_HOUR = 1000
    for n in range(25):
        response = Client(REMOTE_ADDR=f"10.3.0.{n + 1}").post(
            "/admin/password_reset/", {"email": comms_officer.email}
        )
        assert response.status_code == 302  # the same answer every time
    assert len(mail.outbox) == settings.SIGNPOST_PASSWORD_RESETS_PER_ADDRESS_HOUR


def test_resets_from_one_client_are_refused_past_its_limit(client, make_user, settings):
    for n in range(settings.SIGNPOST_PASSWORD_RESETS_PER_CLIENT_HOUR):
        client.post("/admin/password_reset/", {"email": f"nobody-{n}@example.org"})
    user = make_user("Analyst", username="late")
    response = client.post("/admin/password_reset/", {"email": user.email})
    assert response.status_code == 429 and len(mail.outbox) == 0


# --- a superuser's remedies -----------------------------------------------------------------


def lock_out(user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post("/admin/login/", {"username": user.username, "password": "guess"})
    assert sign_in_with_password(Client(), user).status_code == 429


def test_a_superuser_unlocks_an_account_in_the_admin_and_it_is_audited(
    client, superuser, comms_officer, settings
):
    settings.AXES_LOCKOUT_PARAMETERS = ["username"]
    lock_out(comms_officer, settings)
    client.force_login(superuser)
    listing = client.get("/admin/locked-sign-ins/").content.decode()
    assert f"Account {comms_officer.username}" in listing
    client.post("/admin/locked-sign-ins/", {"kind": "username", "value": comms_officer.username})
    assert sign_in_with_password(Client(), comms_officer).status_code == 302
    entry = ModelLogEntry.objects.get(action="signpost.sign_in.unlock")
    assert (entry.object_id, entry.user_id) == (str(comms_officer.pk), superuser.pk)


@pytest.mark.parametrize("role", ["comms_officer", "approver", "partner_viewer"])
def test_only_superusers_may_unlock_or_reset(client, request, role, analyst, settings):
    settings.AXES_LOCKOUT_PARAMETERS = ["username"]
    lock_out(analyst, settings)
    client.force_login(request.getfixturevalue(role))
    assert_refused(client.get("/admin/locked-sign-ins/"))
    client.post("/admin/locked-sign-ins/", {"kind": "username", "value": analyst.username})
    client.post("/admin/locked-sign-ins/", {"reset_second_factor": analyst.username})
    assert sign_in_with_password(Client(), analyst).status_code == 429
    assert not ModelLogEntry.objects.filter(action__startswith="signpost.s").exists()


def test_a_superuser_with_a_password_only_cannot_unlock(client, superuser, analyst, settings):
    settings.AXES_LOCKOUT_PARAMETERS = ["username"]
    lock_out(analyst, settings)
    password_only_login(client, superuser)
    client.post("/admin/locked-sign-ins/", {"kind": "username", "value": analyst.username})
    assert sign_in_with_password(Client(), analyst).status_code == 429


def test_the_unlock_command_clears_an_address_and_is_audited(comms_officer, settings):
    settings.AXES_LOCKOUT_PARAMETERS = ["ip_address"]
    lock_out(comms_officer, settings)
    call_command("unlock_sign_in", "--ip", "127.0.0.1")
    assert sign_in_with_password(Client(), comms_officer).status_code == 302
    entry = ModelLogEntry.objects.get(action="signpost.sign_in.unlock")
    assert entry.data["ip_address"] == "127.0.0.1" and entry.user is None
    call_command("unlock_sign_in", "--username", comms_officer.username)
    assert ModelLogEntry.objects.filter(action="signpost.sign_in.unlock").count() == 2


def test_a_reset_second_factor_is_set_up_again_at_the_next_sign_in(client, superuser, approver):
    authenticator(approver)
    client.force_login(superuser)
    client.post("/admin/locked-sign-ins/", {"reset_second_factor": approver.username})
    assert not TOTPDevice.objects.filter(user=approver).exists()
    assert ModelLogEntry.objects.filter(
        action="signpost.second_factor.reset", object_id=str(approver.pk), user=superuser
    ).exists()
    other = Client()
    sign_in_with_password(other, approver)
    step = other.get("/admin/")["Location"]
    assert other.get(step)["Location"].startswith("/login/second-factor/enrol/")
    call_command("reset_second_factor", approver.username)
    assert ModelLogEntry.objects.filter(action="signpost.second_factor.reset").count() == 2
