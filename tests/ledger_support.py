"""A ledger for tests: migrated, with a fixed test key and the shipped policy."""

import base64
from pathlib import Path
from typing import Any

from workers.ledger.crypto import PersonalDataCipher
from workers.ledger.database import open_engine
from workers.ledger.migrations import migrate
from workers.ledger.policy import load_ledger_policy
from workers.ledger.service import Ledger
from workers.settings import Settings

CONFIG = Path(__file__).resolve().parents[1] / "config"
TEST_KEY = base64.urlsafe_b64encode(bytes(range(32))).decode()


def ledger_settings(url: str, **fields: Any) -> Settings:
    """Settings for a ledger on `url` with the test key; `fields` add to or replace them."""
    return Settings(**{"ledger_database_url": url, "ledger_key": TEST_KEY, "config_dir": CONFIG, **fields})


def open_test_ledger(url: str, **options: Any) -> Ledger:
    """A migrated ledger on `url`; `options` go to `Ledger` (a `clock`)."""
    migrate(url)
    cipher = PersonalDataCipher(base64.urlsafe_b64decode(TEST_KEY))
    return Ledger(open_engine(url), cipher, load_ledger_policy(CONFIG), **options)
