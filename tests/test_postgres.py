import pytest
from django.db import connection
from signpost.models import ContentPage, HomePage

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_site_search_runs_on_postgresql(client):
    assert connection.vendor == "postgresql"
    home = HomePage.objects.get()
    page = ContentPage(title="Fast-track treatment", introduction="Same-week appointments")
    home.add_child(instance=page)
    page.save_revision().publish()
    response = client.get("/search/", {"query": "treatment"})
    assert "Fast-track treatment" in response.content.decode()
