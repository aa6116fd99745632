"""Review and instruction chains: `config/review_chains.toml` as shipped holds the chains of
domain.md, mistakes in it are named at start-up, and `minsheng.review-chain` reads a chain by the
variable or task header `reviewChain`, with the handling unit for `{unit}`."""

from pathlib import Path
from typing import Any

import pytest
from pyzeebe import ZeebeTaskRouter
from worker_support import call_with_job

from workers import review_chains
from workers.ids import JobType, TaskHeader
from workers.policy import PolicyError
from workers.review_chain_policy import (
    REVIEW_CHAIN_POLICY_FILE,
    ReviewChainError,
    ReviewChainPolicy,
    load_review_chain_policy,
)
from workers.settings import Settings

CONFIG = Path(__file__).resolve().parents[3] / "config"
COUNTY = CONFIG / "jurisdictions" / "county-example"


@pytest.fixture(scope="module")
def policy() -> ReviewChainPolicy:
    return load_review_chain_policy(CONFIG)


def chain(policy: ReviewChainPolicy, name: str, unit: str | None = None) -> list[tuple[str, str]]:
    return [(reviewer.group, reviewer.title) for reviewer in policy.reviewers(name, unit)]


def test_the_government_reply_is_signed_off_from_deputy_secretary_general_to_mayor(
    policy: ReviewChainPolicy,
) -> None:
    # [seed 000 三]
    assert chain(policy, "government-reply") == [
        ("deputy-secretary-general", "分管副秘书长"),
        ("secretary-general", "秘书长"),
        ("vice-mayor", "分管副市长"),
        ("mayor", "市长"),
    ]


def test_sensitive_items_go_to_the_leaders_in_charge_and_important_ones_to_the_top(
    policy: ReviewChainPolicy,
) -> None:
    # [seed 000 二]
    assert chain(policy, "instruction-sensitive") == [
        ("deputy-secretary-general", "分管副秘书长"),
        ("vice-mayor", "分管副市长"),
    ]
    assert chain(policy, "instruction-important") == [("secretary-general", "秘书长"), ("mayor", "市长")]


def test_a_deputy_reply_is_reviewed_by_the_units_office_then_its_leader(policy: ReviewChainPolicy) -> None:
    # [seed 003 §二.4(3)]
    assert chain(policy, "deputy-reply", "住房城乡建设委") == [
        ("住房城乡建设委办公室", "承办单位办公室"),
        ("住房城乡建设委领导", "承办单位领导"),
    ]


def test_the_county_ships_the_same_chains_and_groups_under_its_own_titles(policy: ReviewChainPolicy) -> None:
    county = load_review_chain_policy(COUNTY)
    assert set(county.chains) == set(policy.chains)
    for name in policy.chains:
        city_groups = [group for group, _ in chain(policy, name, "民政局")]
        assert [group for group, _ in chain(county, name, "民政局")] == city_groups
    assert chain(county, "government-reply")[-1] == ("mayor", "县长")


def test_an_unknown_chain_is_named_with_the_known_ones(policy: ReviewChainPolicy) -> None:
    with pytest.raises(ReviewChainError) as error:
        policy.reviewers("mayor-reply")
    assert str(error.value) == (
        "review chain 'mayor-reply' is not in review_chains.toml "
        "(government-reply, instruction-sensitive, instruction-important, deputy-reply)"
    )


@pytest.mark.parametrize("unit", [None, "", "  "])
def test_a_chain_of_the_units_groups_needs_the_unit(policy: ReviewChainPolicy, unit: str | None) -> None:
    with pytest.raises(ReviewChainError, match="review chain 'deputy-reply' names groups by \\{unit\\}"):
        policy.reviewers("deputy-reply", unit)


def test_a_chain_without_unit_groups_ignores_the_unit(policy: ReviewChainPolicy) -> None:
    assert chain(policy, "instruction-important", "民政局") == chain(policy, "instruction-important")


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / REVIEW_CHAIN_POLICY_FILE).write_text(text)
    return tmp_path


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "review_chains.toml: chains: is required"),
        ("[chains.empty]\nreviewers = []\n", "chains.empty.reviewers: must not be empty"),
        (
            '[chains.x]\nreviewers = [{ group = "mayor" }]\n',
            "chains.x.reviewers.0.title: is required",
        ),
        (
            '[chains.x]\nreviewers = [{ group = " ", title = "市长" }]\n',
            "chains.x.reviewers.0.group: must not be blank",
        ),
        (
            '[chains.x]\nreviewers = [{ group = "{department}办公室", title = "办公室" }]\n',
            "chains.x.reviewers.0.group: may contain {unit} and no other {...}, got '{department}办公室'",
        ),
        (
            '[chains.x]\nreviewers = [{ group = "mayor", title = "市长", order = 1 }]\n',
            "chains.x.reviewers.0.order: is not a known key",
        ),
        ("[chains.x]\nreviewers = [", "not valid TOML"),
    ],
)
def test_mistakes_in_the_file_are_named_at_start_up(tmp_path: Path, text: str, problem: str) -> None:
    with pytest.raises(PolicyError) as error:
        load_review_chain_policy(write(tmp_path, text))
    assert problem in str(error.value)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match=r"review_chains\.toml: cannot read"):
        load_review_chain_policy(tmp_path)


@pytest.fixture
def router(policy: ReviewChainPolicy) -> ZeebeTaskRouter:
    return review_chains.create_router(policy, Settings().task_options())


async def call(router: ZeebeTaskRouter, headers: dict[str, str], **variables: Any) -> dict[str, Any]:
    result: dict[str, Any] = await call_with_job(router, 1, JobType.REVIEW_CHAIN, headers, **variables)
    return result


def test_the_task_fetches_the_chain_and_the_unit_only(router: ZeebeTaskRouter) -> None:
    task = router.get_task(JobType.REVIEW_CHAIN)
    assert sorted(task.config.variables_to_fetch) == ["reviewChain", "unit"]


async def test_the_task_returns_the_reviewers_in_order(router: ZeebeTaskRouter) -> None:
    result = await call(router, {}, reviewChain="deputy-reply", unit="环保局", caseNumber="x")
    assert result == {
        "reviewers": [
            {"group": "环保局办公室", "title": "承办单位办公室"},
            {"group": "环保局领导", "title": "承办单位领导"},
        ]
    }


async def test_the_header_names_the_chain_when_no_variable_does(router: ZeebeTaskRouter) -> None:
    result = await call(router, {TaskHeader.REVIEW_CHAIN: "instruction-important"}, reviewChain=None)
    assert [reviewer["title"] for reviewer in result["reviewers"]] == ["秘书长", "市长"]


async def test_the_variable_wins_over_the_header(router: ZeebeTaskRouter) -> None:
    # A called review-chain process gets its chain from its caller, whatever its task's header says.
    result = await call(
        router, {TaskHeader.REVIEW_CHAIN: "instruction-important"}, reviewChain="instruction-sensitive"
    )
    assert [reviewer["group"] for reviewer in result["reviewers"]] == [
        "deputy-secretary-general",
        "vice-mayor",
    ]


async def test_a_task_without_a_chain_fails_naming_the_header(router: ZeebeTaskRouter) -> None:
    with pytest.raises(ReviewChainError, match="set the variable or task header reviewChain"):
        await call(router, {})


async def test_an_unknown_chain_fails_the_job(router: ZeebeTaskRouter) -> None:
    with pytest.raises(ReviewChainError, match=r"review chain 'mayor-reply' is not in review_chains\.toml"):
        await call(router, {}, reviewChain="mayor-reply")


async def test_a_unit_chain_without_a_unit_fails_the_job(router: ZeebeTaskRouter) -> None:
    with pytest.raises(ReviewChainError, match="the variable unit must name the handling unit"):
        await call(router, {}, reviewChain="deputy-reply")


async def test_a_chain_that_is_not_text_fails_the_job(router: ZeebeTaskRouter) -> None:
    with pytest.raises(ReviewChainError, match="must be strings"):
        await call(router, {}, reviewChain=["government-reply"])
