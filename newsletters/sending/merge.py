"""A recipient's merge values: their name and the addresses that manage their
subscription, made for a thousand recipients at a time."""

import html

from django.urls import reverse
from django.utils.translation import gettext
from signpost.links import absolute_url

from ..subscribers import tokens


class ManageLinks:
    """A subscriber's unsubscribe and preference addresses, from templates resolved once
    and one token signer per chunk: a chunk of a thousand recipients then costs two URL
    reversals and one key derivation, not two thousand of each. The addresses are in the
    language that is active when it is made (``/cy/newsletters/…``)."""

    _SLOT = "manage-token-slot"

    def __init__(self):
        self.unsubscribe = absolute_url(reverse("newsletters:unsubscribe", args=[self._SLOT]))
        self.preferences = absolute_url(reverse("newsletters:preferences", args=[self._SLOT]))
        self.signer = tokens.ManageTokenSigner()

    def manage_token(self, subscriber, campaign_id: int) -> str:
        return self.signer.token(subscriber.key.hex, campaign_id)

    def for_token(self, token: str) -> tuple[str, str]:
        # Signed tokens are URL-safe base64 and colons, which reverse() leaves as they are.
        return (
            self.unsubscribe.replace(self._SLOT, token),
            self.preferences.replace(self._SLOT, token),
        )


def greeting_name() -> str:
    """Who "Hello …" greets when a subscriber gave no name, in the current language."""
    return gettext("neighbour")


def merge_values(
    subscriber, campaign_id: int, links: ManageLinks | None = None, nameless: str = ""
) -> dict:
    """A recipient's merge values. ``subscriber`` is a Subscriber or a ``ClaimedRow``;
    ``nameless`` greets one without a name (``greeting_name()`` in the batch's
    language, looked up once a batch)."""
    links = links or ManageLinks()
    token = links.manage_token(subscriber, campaign_id)
    unsubscribe_url, preferences_url = links.for_token(token)
    name = subscriber.name or nameless or greeting_name()
    return {
        "name": name,
        # The ESP substitutes values as they are: the HTML part gets its own escaped copy.
        "name_html": html.escape(name),
        "unsubscribe_url": unsubscribe_url,
        "preferences_url": preferences_url,
    }
