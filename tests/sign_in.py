"""Signing in for tests: a user fully signed in (password and second factor) without
going through the views, a session with the password only, and the code an authenticator
app would show."""

import time

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

_force_login = Client.force_login


def password_only_login(client, user, backend=None):
    """Django's own ``force_login``: signed in as after the password, before any code."""
    _force_login(client, user, backend)


def authenticator(user) -> TOTPDevice:
    """The user's authenticator app, set up (confirmed) if it was not."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app")


def second_factor_pass(client, user) -> TOTPDevice:
    """Mark the client's session as having passed the second factor with the user's
    authenticator app (set up if needed), as the second-factor step does."""
    device = authenticator(user)
    if client is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return device


def totp_code(device, *, at: float | None = None) -> str:
    """The six digits the authenticator app shows now (or at ``at``)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    return f"{totp.token():0{device.digits}d}"
