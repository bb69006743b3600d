import pytest
from django.core.cache import cache

from tests.factories import AreaFactory


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
