"""Staff sign-in fit for personal data: a password, then a second factor, at every door.

Every Signpost account is staff (residents have none), and every role reaches the admin,
where subscribers, household codes, survey exports, publishing and sign-off are. So every
account needs a second factor (:func:`second_factor_required`): a TOTP code from an
authenticator app, or a single-use recovery code (django-otp's TOTP and static devices,
https://django-otp-official.readthedocs.io/). It is enrolled at the first sign-in.

:class:`SecondFactorMiddleware` holds the rule for every URL: a session signed in with a
password only reaches the second-factor step, the enrolment step and sign-out; any other
admin URL sends it to the second-factor step, and elsewhere it counts as signed out (so
restricted pages and documents ask again). Failed codes count towards the same lockout as
failed passwords (django-axes, per account and per client address); a superuser unlocks
(:func:`sign_in_unlock`) and resets a lost second factor (:func:`second_factor_reset`),
each recorded in the audit log.
"""

import logging

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.db.models import Max, Sum
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.log_actions import log
from wagtail.models import Site

logger = logging.getLogger(__name__)

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"

# URL names a session with a password only may open: the steps themselves and sign-out.
PENDING_URL_NAMES = ("sign_in_second_factor", "sign_in_enrol", "wagtailadmin_logout")


def second_factor_required(user) -> bool:
    """Whether ``user`` must pass a second factor before Signpost treats them as signed
    in: every account. Each role reaches the admin, and each either sees residents'
    personal data (subscribers, household codes, survey exports), publishes or approves,
    or reads reports beside those who do; superusers see everything."""
    return bool(user.is_authenticated)


def second_factor_passed(user) -> bool:
    return bool(getattr(user, "is_verified", lambda: False)())


class SecondFactorMiddleware:
    """After django-otp's ``OTPMiddleware``: a session without its second factor opens the
    steps and sign-out only. Admin URLs redirect to the second factor; on the public site
    the visitor counts as signed out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if second_factor_required(user) and not second_factor_passed(user):
            path = request.path_info
            if path not in {reverse(name) for name in PENDING_URL_NAMES}:
                if path == reverse("login"):
                    return self._to_second_factor(request.GET.get("next", ""))
                if path.startswith(reverse("wagtailadmin_home")):
                    return self._to_second_factor(request.get_full_path())
                request.user = AnonymousUser()
        return self.get_response(request)

    @staticmethod
    def _to_second_factor(target: str):
        target = target or reverse("wagtailadmin_home")
        return redirect(f"{reverse('sign_in_second_factor')}?{urlencode({'next': target})}")


# --- the second-factor step -------------------------------------------------------------


def confirmed_totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def is_locked_out(request, user) -> bool:
    """Whether this account, or this client, is locked out of signing in now."""
    return AxesProxyHandler.is_locked(request, {"username": user.get_username()})


def second_factor_verify(request, *, token: str):
    """Check a code from the signed-in user's authenticator app or recovery codes. On
    success, the session has passed the second factor and the device is returned; a
    wrong code counts as a failed sign-in towards the lockout (per account and client),
    and each device also slows its own guessing down (django-otp's throttling)."""
    user = request.user
    token = "".join(token.split()).lower()
    device = django_otp.match_token(user, token) if token else None
    if device is None:
        user_login_failed.send(
            sender=__name__, credentials={"username": user.get_username()}, request=request
        )
        return None
    django_otp.login(request, device)
    if isinstance(device, StaticDevice):
        log(instance=device.user, action="signpost.second_factor.recovery_code_used", user=user)
    return device


# --- enrolment ---------------------------------------------------------------------------


def totp_device_for_enrolment(user) -> TOTPDevice:
    """The unconfirmed authenticator-app device the enrolment page shows the secret of;
    the same one until it is confirmed, so reloading the page keeps the app's entry."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


@transaction.atomic
def second_factor_enrol(request, *, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the authenticator app with a code it shows, issue recovery codes, and
    count the session as having passed its second factor. Returns the recovery codes
    (shown once), or None for a wrong code (counted towards the lockout)."""
    user = request.user
    if device.user_id != user.pk or not device.verify_token("".join(token.split())):
        user_login_failed.send(
            sender=__name__, credentials={"username": user.get_username()}, request=request
        )
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_issue(user)
    django_otp.login(request, device)
    log(instance=device.user, action="signpost.second_factor.enrol", user=user)
    return codes


@transaction.atomic
def recovery_codes_issue(user) -> list[str]:
    """A fresh set of single-use recovery codes; any earlier set stops working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- a superuser's remedies -------------------------------------------------------------


@transaction.atomic
def second_factor_reset(*, user, by=None) -> None:
    """Remove a user's authenticator app and recovery codes (a lost phone): they enrol
    again at their next sign-in. Recorded in the audit log."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    log(instance=user, action="signpost.second_factor.reset", user=by)
    logger.info("second factor reset for user %s", user.pk)


def locked_out_attempts():
    """Accounts and client addresses locked out now: each with its failures and when
    it last failed, newest first."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(attempt_time__gte=since)
    rows = []
    for field in ("username", "ip_address"):
        grouped = (
            recent.exclude(**{f"{field}__isnull": True})
            .values(field)
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        )
        rows += [
            {"kind": field, "value": row[field], "failures": row["failures"], "last": row["last"]}
            for row in grouped
        ]
    return sorted(rows, key=lambda row: row["last"], reverse=True)


def sign_in_unlock(*, username: str | None = None, ip_address: str | None = None, by=None) -> int:
    """Clear the failed sign-ins of an account or a client address, so it may sign in
    again now. Recorded in the audit log, with the account or address and who unlocked
    it. Returns how many records were cleared."""
    if not username and not ip_address:
        raise ValueError("Name an account or a client address to unlock.")
    cleared = axes_reset(username=username or None, ip=ip_address or None)
    account = get_user_model().objects.filter(username=username).first() if username else None
    # Recorded against the account; an address alone against whoever unlocked it, or the
    # site itself when unlocked from the shell.
    subject = account or by or Site.objects.filter(is_default_site=True).first()
    log(
        instance=subject,
        action="signpost.sign_in.unlock",
        user=by,
        data={"username": username or "", "ip_address": ip_address or "", "cleared": cleared},
    )
    logger.info("sign-in unlocked (%s records cleared)", cleared)
    return cleared
