"""The pure parts of knowledge search: cutting Chinese into index words and query words, and the
snippet of an answer shown with a result."""

from collections.abc import Iterable

from workers.services.segment import jieba_dictionary

# Words that say nothing about which entry fits: kept out of the index and of queries, since a
# query OR-ing "怎么" would match, and have to rank, nearly every entry.
_STOPWORDS = (
    "的 了 吗 呢 吧 啊 呀 么 是 在 和 与 及 或 我 我们 你 您 他 她 它 这 那 这个 那个 怎么 怎么办 怎样 "
    "如何 什么 哪里 哪儿 哪些 为什么 能 能否 可以 可不可以 要 想 请问 请 一下 有 没有 需要 应该 会 "
    "就 也 还 都 吗 对 把 被 给 让 从 到 向 个 上 下 中"
)
STOPWORDS = frozenset(_STOPWORDS.split())


class KnowledgeSegmenter:
    """jieba's search-engine mode, which also yields the shorter words inside a long one
    ("住房公积金" gives "住房", "公积", "公积金", "住房公积金"), so that a question worded with
    the short word still meets an answer written with the long one. It reads the process's one
    copy of jieba's dictionary."""

    def __init__(self) -> None:
        self._tokenizer = jieba_dictionary()

    def words(self, text: str) -> list[str]:
        """The content words of `text` in order, repeats kept (they weigh in the ranking), lowercased;
        only letters and digits, so that no word can carry query syntax into either database."""
        return [
            word.lower()
            for word in self._tokenizer.cut_for_search(text)
            if word.isalnum() and word.lower() not in STOPWORDS
        ]

    def index_text(self, *texts: str | None) -> str:
        return " ".join(word for text in texts if text for word in self.words(text))

    def query_words(self, text: str) -> list[str]:
        """The distinct words of a query, in order of first appearance."""
        return list(dict.fromkeys(self.words(text)))


def snippet(answer: str, words: Iterable[str], width: int = 80) -> str:
    """About `width` characters of `answer` around the first query word found in it (its start when
    none is), marked with ellipses where cut."""
    answer = " ".join(answer.split())
    if len(answer) <= width:
        return answer
    positions = [position for word in words if (position := answer.lower().find(word)) >= 0]
    centre = min(positions) if positions else 0
    start = max(0, min(centre - width // 4, len(answer) - width))
    end = start + width
    return ("…" if start else "") + answer[start:end] + ("…" if end < len(answer) else "")
