"""The create-run form as a neighbourhood officer fills it in, for the printing tests."""

from django.urls import reverse


def run_form(operation, area, **fields) -> dict:
    """The form's fields for a run in ``operation``'s ``area``: one A5 one-sided leaflet
    whose QR code opens the sign-up form, unless ``fields`` say otherwise."""
    return {
        "operation": operation.pk,
        "area": area.pk,
        "format": "a5_leaflet_1",
        "quantity": 1,
        "qr_target": "signup",
        **fields,
    }


def run_create(client, captured, **fields):
    """Post the form to record and print the run; ``captured`` is pytest-django's
    ``django_capture_on_commit_callbacks``, so the render queued on commit runs."""
    with captured(execute=True):
        return client.post(reverse("printing_admin:create"), {"create": "1", **fields})
