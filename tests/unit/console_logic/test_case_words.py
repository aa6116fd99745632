"""How a case's channel and statuses read on its page (console/routes/cases.py)."""

from console.intake import CHANNELS as INTAKE_CHANNELS
from console.routes.cases import CHANNELS, status_name


def test_every_intake_channel_has_a_chinese_name_on_the_case_pages() -> None:
    unnamed = [channel for channel in INTAKE_CHANNELS if channel not in CHANNELS]
    assert not unnamed, f"cases of {unnamed} would show their process id as their channel"


def test_a_status_reads_as_its_channel_means_it_and_an_unknown_one_as_recorded() -> None:
    assert status_name("hotline-ticket", "signed") == "已签收"
    assert status_name("leader-reception", "signed") == "接访领导已签署", (
        "a reception's leader signs, not signs for"
    )
    assert status_name("meeting-attendance", "previewed") == "已发布预告"
    assert status_name("radio-hotline", "on-leave") == "on-leave", "an unnamed status is shown, not dropped"
