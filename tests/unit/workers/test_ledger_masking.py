"""Masking of appellants' personal data, and who sees it in the clear (config/ledger.toml)."""

from pathlib import Path

import pytest
from ledger_support import CONFIG

from workers.ledger.masking import Appellant, Viewer, mask_address, mask_name, mask_phone, shown_to
from workers.ledger.policy import LedgerPolicy, load_ledger_policy
from workers.policy import PolicyError

ZHANG = Appellant(
    name="张三丰", phone="13812345678", address="北京市朝阳区建国路88号2单元", confidential=False
)


@pytest.fixture(scope="module")
def ledger_policy() -> LedgerPolicy:
    return load_ledger_policy(CONFIG)


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三丰", "张**"), ("张三", "张**"), ("欧阳娜娜", "欧阳**"), ("王", "王**"), ("John Smith", "J**")],
)
def test_names_keep_the_surname_only(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812341234", "138****1234"),
        ("+86 138-1234-1234", "861****1234"),
        ("010-62345678", "010****5678"),
        ("12345", "****"),
    ],
)
def test_phones_keep_three_digits_in_front_and_four_behind(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("北京市朝阳区建国路88号", "北京市朝阳区****"),
        ("广东省深圳市南山区科技园南区", "广东省深圳市南山区****"),
        ("广西壮族自治区南宁市青秀区民族大道", "广西壮族自治区南宁市青秀区****"),
        ("江苏省昆山市玉山镇人民路菜市场旁", "江苏省昆山市****"),
        ("内蒙古自治区鄂尔多斯市鄂托克前旗敖勒召其镇", "内蒙古自治区鄂尔多斯市鄂托克前旗****"),
        ("阳光小区3栋2单元", "****"),
    ],
)
def test_addresses_keep_what_lies_up_to_the_district(address: str, masked: str) -> None:
    assert mask_address(address) == masked


@pytest.mark.parametrize("role", ["hotline-centre", "supervision", "appellant"])
def test_the_roles_the_policy_names_see_the_appellant(ledger_policy: LedgerPolicy, role: str) -> None:
    assert shown_to(Viewer(role), ZHANG, ledger_policy.privacy) == ZHANG


def test_everyone_else_sees_the_appellant_masked(ledger_policy: LedgerPolicy) -> None:
    seen = shown_to(Viewer("handling-unit", unit="环保局"), ZHANG, ledger_policy.privacy)
    assert seen == Appellant(name="张**", phone="138****5678", address="北京市朝阳区****", confidential=False)


def test_a_confidential_appellant_is_masked_for_supervision_too(ledger_policy: LedgerPolicy) -> None:
    confidential = Appellant(name="李四", phone=None, address=None, confidential=True)
    assert shown_to(Viewer("supervision"), confidential, ledger_policy.privacy).name == "李**"
    assert shown_to(Viewer("hotline-centre"), confidential, ledger_policy.privacy).name == "李四"


def test_a_confidential_role_that_may_not_see_others_is_refused_naming_the_key(tmp_path: Path) -> None:
    text = (
        (CONFIG / "ledger.toml")
        .read_text()
        .replace(
            'confidential_unmasked_roles = ["hotline-centre", "petition-office", "appellant"]',
            'confidential_unmasked_roles = ["hotline-centre", "leader"]',
        )
    )
    (tmp_path / "ledger.toml").write_text(text)
    with pytest.raises(PolicyError, match=r"privacy\.confidential_unmasked_roles: must be among .*leader"):
        load_ledger_policy(tmp_path)
