"""Top and bottom units: shared places on equal scores, never a unit on both lists."""

from workers.reports.ranking import Placing, rank


def test_top_and_bottom_three_of_many() -> None:
    scores = {f"单位{index}": float(score) for index, score in enumerate([90, 80, 70, 60, 50, 40, 30])}
    ranking = rank(scores, 3)
    assert [(p.unit, p.place) for p in ranking.top] == [("单位0", 1), ("单位1", 2), ("单位2", 3)]
    assert [(p.unit, p.place) for p in ranking.bottom] == [("单位6", 7), ("单位5", 6), ("单位4", 5)]


def test_equal_scores_share_a_place_and_a_tie_at_the_border_names_both() -> None:
    scores = {"甲": 90.0, "乙": 85.0, "丙": 85.0, "丁": 80.0, "戊": 80.0, "己": 10.0, "庚": 10.0, "辛": 50.0}
    ranking = rank(scores, 3)
    assert ranking.top == (Placing("甲", 1, 90.0), Placing("丙", 2, 85.0), Placing("乙", 2, 85.0))
    # 丁 and 戊 share the 4th place: three units score lower, so they are not in the bottom three.
    assert ranking.bottom == (
        Placing("己", 7, 10.0),
        Placing("庚", 7, 10.0),
        Placing("辛", 6, 50.0),
    )
    tied_border = rank({"甲": 90.0, "乙": 80.0, "丙": 70.0, "丁": 70.0, "戊": 10.0}, 3)
    # Equal places in the order of the units' names.
    assert [(p.unit, p.place) for p in tied_border.top] == [("甲", 1), ("乙", 2), ("丁", 3), ("丙", 3)]
    assert [p.unit for p in tied_border.bottom] == ["戊"]


def test_scores_equal_when_printed_are_equal() -> None:
    ranking = rank({"甲": 66.666666, "乙": 66.6666661}, 1)
    assert [(p.unit, p.place, p.score) for p in ranking.top] == [("乙", 1, 66.67), ("甲", 1, 66.67)]
    assert ranking.bottom == ()


def test_with_few_units_the_top_comes_first() -> None:
    ranking = rank({"甲": 90.0, "乙": 80.0, "丙": 70.0, "丁": 60.0}, 3)
    assert [p.unit for p in ranking.top] == ["甲", "乙", "丙"]
    assert [p.unit for p in ranking.bottom] == ["丁"]
    assert rank({}, 3).top == ()
