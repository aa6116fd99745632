"""The pure parts of knowledge search: words, query syntax, snippets."""

from workers.knowledge.search import fts5_query, tsquery
from workers.knowledge.text import KnowledgeSegmenter, snippet

SEGMENTER = KnowledgeSegmenter()


def test_search_mode_also_yields_the_short_words_inside_long_ones() -> None:
    words = SEGMENTER.words("住房公积金怎么提取")
    assert {"公积金", "提取"} <= set(words)
    assert "怎么" not in words, "stopwords are kept out"


def test_words_hold_letters_and_digits_only_so_no_query_syntax_gets_through() -> None:
    words = SEGMENTER.query_words('社保卡" OR 1=1 -- ；（补办）')
    assert all(word.isalnum() for word in words)
    assert "社保卡" in words and "补办" in words
    assert fts5_query(["社保卡", "补办"]) == '"社保卡" OR "补办"'
    assert tsquery(["社保卡", "补办"]) == "'社保卡' | '补办'"


def test_query_words_are_distinct_and_index_text_keeps_repeats() -> None:
    assert SEGMENTER.query_words("噪音噪音") == ["噪音"]
    assert SEGMENTER.index_text("噪音", None, "噪音") == "噪音 噪音"
    assert SEGMENTER.query_words("的了吗？") == []


def test_snippet_centres_on_the_first_word_found() -> None:
    answer = "甲" * 100 + "签注" + "乙" * 100
    text = snippet(answer, ["签注"], width=40)
    assert "签注" in text and text.startswith("…") and text.endswith("…")
    assert len(text) == 42
    assert snippet("短答复", ["无"]) == "短答复"
    assert snippet("丙" * 100, ["无"], width=10) == "丙" * 10 + "…"
