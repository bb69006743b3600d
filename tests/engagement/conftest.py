import pytest

from .factories import StakeholderFactory


@pytest.fixture
def stakeholder_factory(db):
    return StakeholderFactory
