"""The rules on the labelled appeals (tests/data/appeals_eval.jsonl), which the team wrote before
tuning the rules; `bench/classification_eval.py` prints every field's scores."""

from pathlib import Path

import pytest

from minsheng.classification_eval import Score, load, run, scores
from workers.services.appeal import AppealClassifier

DATA = Path(__file__).resolve().parents[2] / "data" / "appeals_eval.jsonl"


@pytest.fixture(scope="module")
def table(classifier: AppealClassifier) -> dict[str, dict[str, Score]]:
    return scores(run(classifier, load(DATA)))


def test_the_set_covers_what_it_must() -> None:
    expected = [record["expected"] for record in load(DATA)]
    assert len(expected) >= 300
    assert {e["category"] for e in expected} == {"咨询", "建议", "求助", "投诉", "举报", "其他"}
    assert {e["reason"] for e in expected} - {None} == {
        "no_substance",
        "commercial",
        "personal",
        "outside_authority",
        "legal_proceedings",
        "petition_concluded",
        "other",
    }
    assert {e["leadUnit"] for e in expected} >= {
        "住房城乡建设委",
        "综合执法局",
        "环保局",
        "民政局",
        "人力资源社会保障局",
    }
    assert sum(1 for e in expected if e["repeatOf"]) >= 5


@pytest.mark.parametrize("split", ["held-out", "all"])
@pytest.mark.parametrize("field", ["category", "accepted", "leadUnit"])
def test_the_rules_agree_with_the_labels_on_at_least_85_percent(
    table: dict[str, dict[str, Score]], split: str, field: str
) -> None:
    assert table[split][field].accuracy >= 0.85
