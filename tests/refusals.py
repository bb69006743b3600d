"""How the admin answers a refusal, asserted one way everywhere."""

from django.urls import reverse


def assert_refused(response):
    """Wagtail's admin answers a signed-in user's refused request by sending them to the
    dashboard with a message (a 302 anywhere else could be a success)."""
    assert (response.status_code, response.get("Location")) == (302, reverse("wagtailadmin_home"))
