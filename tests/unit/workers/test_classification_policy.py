from pathlib import Path

import pytest

from workers.classification_policy import (
    CLASSIFICATION_POLICY_FILE,
    ClassificationPolicy,
    category_limits,
    load_classification_policy,
)
from workers.policy import HotlinePolicy, PolicyError

SHIPPED = Path(__file__).resolve().parents[3] / "config" / CLASSIFICATION_POLICY_FILE


def problems(tmp_path: Path, old: str, new: str) -> str:
    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text
    (tmp_path / CLASSIFICATION_POLICY_FILE).write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(PolicyError) as raised:
        load_classification_policy(tmp_path)
    return str(raised.value)


def test_the_shipped_rules_route_to_seed_002s_first_responsible_units(
    classification_rules: ClassificationPolicy,
) -> None:
    units = {topic.unit for topic in classification_rules.routing.topics}
    assert units == {"住房城乡建设委", "综合执法局", "环保局", "民政局", "人力资源社会保障局"}
    assert units | {classification_rules.routing.default_unit} == set(classification_rules.units)


def test_the_shipped_rules_know_seed_001s_not_accepted_list(
    classification_rules: ClassificationPolicy,
) -> None:
    assert list(classification_rules.acceptance.reasons) == [
        "no_substance",
        "commercial",
        "legal_proceedings",
        "petition_concluded",
        "personal",
        "outside_authority",
        "other",
    ]


def test_every_category_has_a_time_limit(
    policy: HotlinePolicy, classification_rules: ClassificationPolicy
) -> None:
    assert category_limits(policy, classification_rules) == {
        "咨询": 2,
        "建议": 2,
        "求助": 20,
        "投诉": 20,
        "举报": 20,
        "其他": 20,
    }


def test_a_category_without_a_time_limit_is_refused(classification_rules: ClassificationPolicy) -> None:
    hotline = HotlinePolicy.model_validate({"categories": {"咨询": {"limit_working_days": 2}}})
    with pytest.raises(
        PolicyError, match=r"classification.toml: categories.cues.建议: has no limit_working_days"
    ):
        category_limits(hotline, classification_rules)


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            "confidence_threshold = 0.5",
            "confidence_threshold = 2",
            "categories.confidence_threshold: must be at most 1",
        ),
        ('fallback = "其他"', 'fallback = "未分类"', "categories.fallback: must be one of 咨询, 建议, 求助"),
        (
            'patterns = ["信访终结",',
            'patterns = ["信访(终结",',
            "acceptance.reasons.petition_concluded.patterns.0: ",
        ),
        ('unit = "环保局"', 'unit = "生态环境局"', 'routing.topics.4.unit: "生态环境局" is not in [units]'),
        ("window_days = 30", "window_days = 0", "repeats.window_days: must be at least 1, got 0"),
        ("[repeats]", "[repeats]\nwindow = 3", "repeats.window: is not a known key"),
    ],
)
def test_problems_name_the_file_and_the_key(tmp_path: Path, old: str, new: str, problem: str) -> None:
    message = problems(tmp_path, old, new)
    assert message.startswith(f"{tmp_path / CLASSIFICATION_POLICY_FILE}: ")
    assert problem in message
