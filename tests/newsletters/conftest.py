import pytest
from django.core.cache import cache

from tests.factories import AreaFactory

from .factories import CampaignFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and the send throttle count in the cache; each test starts at zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def eastfield(db):
    return AreaFactory(name="Eastfield", slug="eastfield", postcode_prefixes="HB1 4, HB1 5")


@pytest.fixture
def riverside(db):
    return AreaFactory(name="Riverside", slug="riverside", postcode_prefixes="HB2")


@pytest.fixture
def run_commits(django_capture_on_commit_callbacks):
    """Run work queued for after commit (Celery tasks), as a real request would."""

    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


@pytest.fixture
def campaign(comms_officer, eastfield):
    """A draft campaign to Eastfield by a communications officer (a test module may have
    its own)."""
    return CampaignFactory(created_by=comms_officer, areas=[eastfield], subject="Eastfield news")
