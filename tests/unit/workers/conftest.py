from pathlib import Path

import pytest

from workers.policy import HotlinePolicy, load_hotline_policy

SHIPPED_CONFIG = Path(__file__).resolve().parents[3] / "config"


@pytest.fixture(scope="session")
def policy() -> HotlinePolicy:
    """The default jurisdiction's policy as shipped: the tests hold it to domain.md's rules."""
    return load_hotline_policy(SHIPPED_CONFIG)
