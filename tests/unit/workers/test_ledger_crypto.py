"""Encryption at rest: what the database holds of an appellant is ciphertext, bound to its case."""

import base64
import os
from pathlib import Path

import pytest
from ledger_support import TEST_KEY, ledger_settings, open_test_ledger
from sqlalchemy import select

from workers.ledger import models
from workers.ledger.crypto import LedgerKeyError, PersonalDataCipher
from workers.ledger.events import AppellantDetails, CaseRegistration
from workers.ledger.masking import Viewer
from workers.ledger.service import open_ledger
from workers.settings import SettingsError, load_settings

CIPHER = PersonalDataCipher(base64.urlsafe_b64decode(TEST_KEY))


def test_a_value_decrypts_for_its_own_case_and_field_only() -> None:
    stored = CIPHER.encrypt("13812345678", "RX2025-000001", "phone")
    assert CIPHER.decrypt(stored, CIPHER.key_id, "RX2025-000001", "phone") == "13812345678"
    with pytest.raises(LedgerKeyError, match="RX2025-000002: phone does not decrypt"):
        CIPHER.decrypt(stored, CIPHER.key_id, "RX2025-000002", "phone")
    with pytest.raises(LedgerKeyError, match="RX2025-000001: name does not decrypt"):
        CIPHER.decrypt(stored, CIPHER.key_id, "RX2025-000001", "name")


def test_the_same_value_never_encrypts_the_same_twice() -> None:
    assert CIPHER.encrypt("张三", "RX2025-000001", "name") != CIPHER.encrypt("张三", "RX2025-000001", "name")


def test_another_key_is_refused_by_its_id() -> None:
    other = PersonalDataCipher(os.urandom(32))
    stored = other.encrypt("张三", "RX2025-000001", "name")
    with pytest.raises(LedgerKeyError, match=f"encrypted with key {other.key_id}"):
        CIPHER.decrypt(stored, other.key_id, "RX2025-000001", "name")


def test_the_database_holds_no_plaintext_of_the_appellant(tmp_path: Path) -> None:
    ledger = open_test_ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    appellant = AppellantDetails(name="欧阳娜娜", phone="13987654321", address="上海市浦东新区张江路1号")
    number = ledger.register(
        1, CaseRegistration(channel="hotline-ticket", appellant=appellant, content="噪音")
    )
    with ledger._engine.connect() as connection:  # the raw columns, as a stolen backup would show them
        row = connection.execute(select(models.Case.__table__).where(models.Case.case_number == number)).one()
        receipts = connection.execute(select(models.JobReceipt.__table__)).all()
    ledger.close()
    secrets = [value.encode() for value in ("欧阳娜娜", "13987654321", "上海市浦东新区张江路1号", "张江路")]
    raw = b"".join(path.read_bytes() for path in tmp_path.iterdir() if path.name.startswith("ledger.db"))
    assert not [secret for secret in secrets if secret in raw]
    assert row.appellant_key_id == CIPHER.key_id
    assert not [secret for secret in secrets if any(secret in repr(value).encode() for value in receipts)]
    reopened = open_test_ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    assert reopened.view_case(number, Viewer("hotline-centre")).appellant.phone == "13987654321"
    reopened.close()


def test_a_malformed_key_is_refused_naming_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINSHENG_LEDGER_KEY", base64.urlsafe_b64encode(b"too short").decode())
    with pytest.raises(SettingsError, match="MINSHENG_LEDGER_KEY: must be URL-safe base64 of 32 bytes"):
        load_settings()


def test_the_workers_do_not_open_a_ledger_without_a_key(tmp_path: Path) -> None:
    settings = ledger_settings(f"sqlite:///{tmp_path / 'ledger.db'}", ledger_key=None)
    with pytest.raises(SettingsError, match="MINSHENG_LEDGER_KEY: is required"):
        open_ledger(settings)
