"""Keyword matching shared by classification and routing, until segmentation (jieba) replaces it."""

from collections.abc import Iterable


def appeal_text(title: str | None, content: str | None) -> str:
    """The text an appeal is judged on: its title (the operator's summary) and its content."""
    return "\n".join(part for part in (title, content) if part)


def keyword_hits(keywords: Iterable[str], text: str) -> int:
    """How many of `keywords` occur in `text`; a keyword repeated in the text counts once, so
    that insistence ("投诉！投诉！") does not outweigh substance."""
    return sum(1 for keyword in keywords if keyword in text)
