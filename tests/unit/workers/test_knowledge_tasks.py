"""The knowledge base steps' pure parts: when the yearly review falls due, the validity as the
forms show and return it, and config/knowledge.toml refused by file and key."""

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from workers.knowledge.policy import ReviewRule, load_knowledge_policy
from workers.knowledge.store import EntryText
from workers.knowledge_tasks import review_dates, revised_text, shown_dates
from workers.policy import PolicyError

ROOT = Path(__file__).resolve().parents[3]
SHANGHAI = ZoneInfo("Asia/Shanghai")
RULE = ReviewRule(days_before_valid_until=30, days_after_publication=365)
PUBLISHED = datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)


def test_an_entry_is_reviewed_before_its_validity_ends_and_expires_at_its_end() -> None:
    end = datetime(2027, 7, 1, tzinfo=SHANGHAI)
    assert review_dates(end, PUBLISHED, RULE) == (datetime(2027, 6, 1, tzinfo=SHANGHAI), end)


def test_an_entry_published_close_to_its_end_is_reviewed_at_once() -> None:
    end = datetime(2026, 11, 20, tzinfo=SHANGHAI)
    assert review_dates(end, PUBLISHED, RULE) == (PUBLISHED, end), (
        "the review cannot be due before publication"
    )


def test_an_open_ended_entry_is_reviewed_a_year_after_publication() -> None:
    review_at, due = review_dates(None, PUBLISHED, RULE)
    assert review_at == datetime(2027, 11, 2, 9, 0, tzinfo=SHANGHAI), "365 days after publication"
    assert due == datetime(2027, 12, 2, 9, 0, tzinfo=SHANGHAI), "and expires 30 days later unreviewed"


def test_the_forms_show_the_last_valid_day_and_a_revision_is_valid_through_it() -> None:
    text = EntryText(
        question="问",
        answer="答",
        topic="主题",
        unit="单位",
        valid_from=datetime(2026, 10, 31, 16, 0, tzinfo=UTC),  # 1 November 00:00 in Shanghai
        valid_until=datetime(2027, 6, 30, 16, 0, tzinfo=UTC),  # 1 July 00:00 in Shanghai
    )
    shown = shown_dates(text, SHANGHAI)
    assert shown == {"validFrom": "2026-11-01", "validUntil": "2027-06-30"}
    revised = revised_text(text, {"question": "新问", "answer": "新答", **shown, "policyBasis": ""}, SHANGHAI)
    assert (revised.valid_from, revised.valid_until) == (text.valid_from, text.valid_until), "round trip"
    assert revised.policy_basis is None, "an empty basis is no basis"
    open_ended = revised_text(text, {"question": "问", "answer": "答", "validFrom": "2026-11-01"}, SHANGHAI)
    assert open_ended.valid_until is None, "no last day: valid until further notice"


def test_a_bad_date_from_the_form_is_named() -> None:
    with pytest.raises(ValueError, match="validUntil"):
        revised_text(
            EntryText("问", "答", "主题", "单位", PUBLISHED),
            {"question": "问", "answer": "答", "validFrom": "2026-11-01", "validUntil": "明年"},
            SHANGHAI,
        )


def test_the_shipped_policy_loads_and_a_mistake_is_named_by_file_and_key(tmp_path: Path) -> None:
    assert load_knowledge_policy(ROOT / "config").review == RULE
    (tmp_path / "knowledge.toml").write_text(
        "[review]\ndays_before_valid_until = 0\ndays_after_publication = 365\n"
    )
    with pytest.raises(PolicyError) as raised:
        load_knowledge_policy(tmp_path)
    assert "knowledge.toml: review.days_before_valid_until: must be a positive integer" in str(raised.value)
