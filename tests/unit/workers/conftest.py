from pathlib import Path

import pytest

from workers.classification_policy import ClassificationPolicy, load_classification_policy
from workers.deadlines import load_deadlines
from workers.policy import HotlinePolicy, load_hotline_policy
from workers.services.appeal import AppealClassifier
from workers.services.deadlines import Deadlines

SHIPPED_CONFIG = Path(__file__).resolve().parents[3] / "config"


@pytest.fixture(scope="session")
def policy() -> HotlinePolicy:
    """The default jurisdiction's policy as shipped: the tests hold it to domain.md's rules."""
    return load_hotline_policy(SHIPPED_CONFIG)


@pytest.fixture(scope="session")
def deadlines() -> Deadlines:
    """The default jurisdiction's time limits and calendar as shipped."""
    return load_deadlines(SHIPPED_CONFIG)


@pytest.fixture(scope="session")
def classification_rules() -> ClassificationPolicy:
    """The default jurisdiction's classification lexicons and rules as shipped."""
    return load_classification_policy(SHIPPED_CONFIG)


@pytest.fixture(scope="session")
def classifier(classification_rules: ClassificationPolicy) -> AppealClassifier:
    """Built once: building one loads jieba's dictionary."""
    return AppealClassifier(classification_rules)
