"""Word segmentation (jieba) and cue matching that respects word boundaries.

A cue found as a bare substring can straddle two words: "市政" in "城市政府", "工资" in "员工资料".
Matching against jieba's words instead rejects those while still finding a cue inside a longer
word ("物业" in "物业费") or spanning whole words ("噪音扰民" = "噪音" + "扰民").
"""

import logging
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import jieba

# A user word's frequency: high enough that jieba keeps it whole against its own dictionary's words
# ("路灯" + "不亮", not "路" + "灯不亮"), which jieba's default frequency for added words does not.
USER_WORD_FREQUENCY = 100_000

# jieba logs its dictionary loading at DEBUG to stderr, which would interleave with CLI output.
jieba.setLogLevel(logging.WARNING)


@cache
def jieba_dictionary() -> jieba.Tokenizer:
    """jieba with its own dictionary only, loaded once per process (about a second and a half):
    every segmenter starts from it, so building one in each worker, console or test costs nothing
    more. Only read from; a tokenizer that needs more words copies it (`tokenizer_with`)."""
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def tokenizer_with(user_words: Iterable[str], frequency: int) -> jieba.Tokenizer:
    """A tokenizer of jieba's dictionary plus `user_words`, made from a copy of the loaded
    dictionary rather than by reading it again."""
    shared = jieba_dictionary()
    tokenizer = jieba.Tokenizer()
    # jieba's own state after `initialize`: the word frequencies and their sum.
    tokenizer.FREQ, tokenizer.total, tokenizer.initialized = dict(shared.FREQ), shared.total, True
    for word in user_words:
        tokenizer.add_word(word, frequency)
    return tokenizer


@dataclass(frozen=True, slots=True)
class Segmented:
    """A text and its words, with where each word starts and ends."""

    text: str
    words: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    content_words: tuple[str, ...]

    def has(self, cue: str) -> bool:
        """Whether `cue` occurs without cutting a word it does not wholly contain."""
        position = self.text.find(cue)
        while position >= 0:
            end = position + len(cue)
            first, last = self._word_at(position), self._word_at(end - 1)
            if first == last or (self.starts[first] == position and self.ends[last] == end):
                return True
            position = self.text.find(cue, position + 1)
        return False

    def hits(self, cues: Iterable[str]) -> tuple[str, ...]:
        """The cues that occur; each counts once however often it is repeated, so that insistence
        ("投诉！投诉！") does not outweigh substance."""
        return tuple(cue for cue in cues if self.has(cue))

    def _word_at(self, position: int) -> int:
        return bisect_right(self.starts, position) - 1


class Segmenter:
    """jieba with the jurisdiction's user words."""

    def __init__(self, user_words: Iterable[str], stopwords: Iterable[str]) -> None:
        self._tokenizer = tokenizer_with(user_words, USER_WORD_FREQUENCY)
        self._stopwords = frozenset(stopwords)

    def segment(self, text: str) -> Segmented:
        tokens = list(self._tokenizer.tokenize(text))
        words = tuple(word for word, _, _ in tokens)
        return Segmented(
            text=text,
            words=words,
            starts=tuple(start for _, start, _ in tokens),
            ends=tuple(end for _, _, end in tokens),
            content_words=tuple(word for word in words if self._is_content(word)),
        )

    def _is_content(self, word: str) -> bool:
        return word not in self._stopwords and any(character.isalnum() for character in word)
