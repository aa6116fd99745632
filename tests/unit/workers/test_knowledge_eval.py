"""Knowledge search on the seed knowledge base and callers' questions labelled with the entries that
answer them (minsheng/knowledge_eval.py): the right entry is among the three proposed for at least
four questions in five."""

from pathlib import Path

import pytest

from minsheng.knowledge_eval import LabelError, Outcome, evaluate, figures, misses

MIN_HIT_AT_3 = 0.80


def test_the_right_entry_is_among_the_three_proposed_for_four_questions_in_five(tmp_path: Path) -> None:
    outcomes = evaluate(tmp_path)
    result = figures(outcomes)
    assert result.questions >= 100 and result.answerable >= 80, f"too few labelled questions: {result}"
    missed = "\n".join(misses(outcomes))
    assert result.hit_at_3 >= MIN_HIT_AT_3, (
        f"hit@3 is {result.hit_at_3:.3f} (hit@1 {result.hit_at_1:.3f}) over {result.answerable} "
        f"answerable questions, below {MIN_HIT_AT_3}; missed:\n{missed}"
    )


def test_figures_count_only_the_questions_the_base_can_answer() -> None:
    outcomes = [
        Outcome("Q1", "身份证丢了", frozenset({"身份证丢了怎么补办"}), ("身份证丢了怎么补办", "护照")),
        Outcome("Q2", "护照加急", frozenset({"出入境证件加急"}), ("怎么办理护照", "出入境证件加急")),
        Outcome("Q3", "试用期多久", frozenset({"试用期"}), ("没签劳动合同怎么办",)),
        Outcome("Q4", "天气", frozenset(), ("供暖",)),
    ]
    result = figures(outcomes)
    assert result.hit_at_1 == pytest.approx(1 / 3) and result.hit_at_3 == pytest.approx(2 / 3)
    assert (result.coverage, result.answerable, result.questions) == (0.75, 3, 4)
    assert misses(outcomes) == ["Q3 试用期多久\n    expected 试用期\n    proposed 没签劳动合同怎么办"]


def test_a_label_naming_no_entry_of_the_seed_is_refused(tmp_path: Path) -> None:
    questions = tmp_path / "questions.jsonl"
    questions.write_text('{"id": "Q1", "question": "身份证丢了"}\n', encoding="utf-8")
    labels = tmp_path / "labels.jsonl"
    labels.write_text('{"id": "Q1", "entries": ["身份证掉了咋办"]}\n', encoding="utf-8")
    with pytest.raises(LabelError, match=r"not a canonical question of .*: 身份证掉了咋办"):
        evaluate(tmp_path, questions=questions, labels=labels)
