from pathlib import Path

import pytest

from workers.policy import HOTLINE_POLICY_FILE, HotlinePolicy, PolicyError, load_hotline_policy

VALID = """
[categories."咨询"]
limit_working_days = 2
keywords = ["请问"]

[categories."投诉"]
limit_working_days = 20
keywords = ["投诉"]

[categories."其他"]
limit_working_days = 20

[classification]
confidence_threshold = 0.5
fallback_category = "其他"

[routing]
default_unit = "热线中心"

[[routing.rules]]
unit = "环保局"
topic = "噪声污染"
keywords = ["噪音"]
"""


def load(tmp_path: Path, text: str) -> HotlinePolicy:
    (tmp_path / HOTLINE_POLICY_FILE).write_text(text, encoding="utf-8")
    return load_hotline_policy(tmp_path)


def problems(tmp_path: Path, text: str) -> str:
    with pytest.raises(PolicyError) as raised:
        load(tmp_path, text)
    return str(raised.value)


def test_the_shipped_policy_has_domain_mds_categories_and_limits(policy: HotlinePolicy) -> None:
    limits = {name: category.limit_working_days for name, category in policy.categories.items()}
    assert limits == {"咨询": 2, "建议": 2, "求助": 20, "投诉": 20, "举报": 20, "其他": 20}


def test_the_shipped_policy_routes_to_seed_002s_first_responsible_units(policy: HotlinePolicy) -> None:
    units = {rule.unit for rule in policy.routing.rules}
    assert units == {"住房城乡建设委", "综合执法局", "环保局", "民政局", "人力资源社会保障局"}


def test_a_valid_file_loads(tmp_path: Path) -> None:
    assert load(tmp_path, VALID).categories["投诉"].keywords == ("投诉",)


def test_an_error_names_the_file_the_key_and_the_problem(tmp_path: Path) -> None:
    text = VALID.replace("limit_working_days = 20\nkeywords", "limit_working_days = -1\nkeywords")
    assert problems(tmp_path, text) == (
        f"{tmp_path / HOTLINE_POLICY_FILE}: categories.投诉.limit_working_days: "
        "must be a positive integer, got -1"
    )


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            "limit_working_days = 2",
            'limit_working_days = "2"',
            'categories.咨询.limit_working_days: must be an integer, got "2"',
        ),
        (
            "confidence_threshold = 0.5",
            "confidence_threshold = 1.5",
            "classification.confidence_threshold: must be at most 1.0, got 1.5",
        ),
        (
            'default_unit = "热线中心"',
            'default_unit = " "',
            'routing.default_unit: must not be blank, got " "',
        ),
        ('keywords = ["噪音"]', "keywords = []", "routing.rules.0.keywords: must not be empty, got []"),
        ('topic = "噪声污染"\n', "", "routing.rules.0.topic: is required"),
        ("[routing]\n", "[routing]\nfallback = 1\n", "routing.fallback: is not a known key"),
        (
            'fallback_category = "其他"',
            'fallback_category = "未分类"',
            'classification.fallback_category: must be one of 咨询, 投诉, 其他, got "未分类"',
        ),
        (
            'keywords = ["请问"]',
            "keywords = []",
            "categories.咨询.keywords: must not be empty (only the fallback category 其他 may have none)",
        ),
    ],
)
def test_problems_are_named_by_key(tmp_path: Path, old: str, new: str, problem: str) -> None:
    assert old in VALID
    assert problems(tmp_path, VALID.replace(old, new, 1)) == f"{tmp_path / HOTLINE_POLICY_FILE}: {problem}"


def test_every_problem_is_reported_on_its_own_line(tmp_path: Path) -> None:
    text = VALID.replace("limit_working_days = 2\n", "limit_working_days = 0\n").replace(
        "confidence_threshold = 0.5", "confidence_threshold = -1"
    )
    assert len(problems(tmp_path, text).splitlines()) == 2


def test_invalid_toml_names_the_file_and_line(tmp_path: Path) -> None:
    message = problems(tmp_path, VALID + "\n[routing\n")
    assert message.startswith(f"{tmp_path / HOTLINE_POLICY_FILE}: not valid TOML:")
    assert "line" in message


def test_a_missing_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match=f"^{tmp_path / HOTLINE_POLICY_FILE}: cannot read: "):
        load_hotline_policy(tmp_path)
