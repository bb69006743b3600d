"""A register's export as its user gets it: asked for in the listing, prepared by the
worker (an eager task here, run as the request commits), and downloaded from "Your
downloads"."""

from django.test import TestCase
from django.urls import reverse
from signpost.models import PreparedExport


def export_asked(client, url, params=None):
    """The listing's answer to an export, with the prepared export's build run as the
    request commits."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.get(url, params or {})


def answer_followed(client, url, params=None):
    """What the user ends up with: for an export prepared in the background, the answer
    to downloading the file prepared for them (404 if none was); for anything else, the
    answer itself."""
    asked = export_asked(client, url, params)
    if asked.status_code != 302 or asked["Location"] != reverse("signpost_downloads"):
        return asked
    export = PreparedExport.objects.latest("pk")
    return client.get(reverse("signpost_download", args=[export.pk]))


def downloaded(client, url, params=None) -> bytes:
    """The file a register's export gives its user: the listing sends them to their
    downloads, where the file prepared for them is ready."""
    asked = export_asked(client, url, params)
    assert (asked.status_code, asked["Location"]) == (302, reverse("signpost_downloads"))
    export = PreparedExport.objects.latest("pk")
    assert export.status == PreparedExport.Status.READY, export.error
    download = client.get(reverse("signpost_download", args=[export.pk]))
    assert download.status_code == 200
    return b"".join(download.streaming_content)
