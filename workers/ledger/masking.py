"""Masking of appellants' personal data: the one place every output (views, notifications, reports)
takes it from, so that no output masks differently or forgets to.

Masks have a fixed length: `张**` whatever the length of the given name, `****` for the rest of an
address, so that the mask does not tell how long the hidden part is.
"""

import re
from dataclasses import dataclass

from workers.ledger.policy import PrivacyPolicy

MASK = "****"

# Two-character surnames, so that 欧阳娜娜 shows as 欧阳** rather than 欧**.
COMPOUND_SURNAMES = frozenset(
    {
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "轩辕",
        "令狐",
        "端木",
        "独孤",
        "南宫",
        "西门",
        "百里",
    }
)

# What an address keeps: an optional province-level part, an optional prefecture-level part and the
# district or county. Place names hold no digits, streets, towns or buildings, so a 市 in 菜市场 ends
# no district; a 区 after 小/社/园/校/景 is a residential compound or a campus, not a district.
_PLACE = r"[^\s\d路街道巷弄镇乡村号栋楼室]{1,12}?"
_DISTRICT = re.compile(
    rf"(?:{_PLACE}(?:省|自治区|特别行政区))?(?:{_PLACE}(?:市|自治州|州|盟|地区))?{_PLACE}(?:(?<![小社园校景])区|县|旗|市)"
)


@dataclass(frozen=True)
class Viewer:
    """Who reads the ledger: a role (a user-task candidate group) and, where it matters, a unit."""

    role: str
    unit: str | None = None
    user: str | None = None


@dataclass(frozen=True)
class Appellant:
    name: str | None
    phone: str | None
    address: str | None
    confidential: bool


def mask_name(name: str) -> str:
    surname_length = 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1
    return name[:surname_length] + "**"


def mask_phone(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    # Fewer than 8 digits leave too little hidden between the 3 kept in front and the 4 behind.
    return f"{digits[:3]}{MASK}{digits[-4:]}" if len(digits) >= 8 else MASK


def mask_address(address: str) -> str:
    district = _DISTRICT.match(address)
    return (district.group(0) if district else "") + MASK


def masked(appellant: Appellant) -> Appellant:
    return Appellant(
        name=None if appellant.name is None else mask_name(appellant.name),
        phone=None if appellant.phone is None else mask_phone(appellant.phone),
        address=None if appellant.address is None else mask_address(appellant.address),
        confidential=appellant.confidential,
    )


def shown_to(viewer: Viewer, appellant: Appellant, policy: PrivacyPolicy) -> Appellant:
    """`appellant` as `viewer` may see it: in the clear for the roles the policy names, else masked."""
    if policy.sees_appellant(viewer.role, appellant.confidential):
        return appellant
    return masked(appellant)
