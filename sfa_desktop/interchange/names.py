"""A person's full name split into first and last name."""

from __future__ import annotations

import re

_PREFIXES = frozenset(
    {
        "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "herr", "frau", "fr",
        "hr", "m", "mme", "mlle", "sr", "sra", "srta", "dott", "ing",
    }
)  # fmt: skip
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md", "mba", "esq", "dds", "cpa"})
# Words that start a family name ("Ludwig van Beethoven", "Maria de la Cruz").
_PARTICLES = frozenset(
    {
        "van", "von", "de", "der", "den", "del", "della", "di", "da", "das", "dos", "du",
        "la", "le", "ter", "ten", "zu", "bin", "ibn", "al", "st",
    }
)  # fmt: skip
_WORD = re.compile(r"[\s]+")


def _bare(word: str) -> str:
    return word.casefold().strip(".,")


def split_full_name(text: str) -> tuple[str, str]:
    """(first, last) of "Jane Doe", "Doe, Jane", "Dr. Jane A. Doe Jr." or "Jan van Dijk".

    One word is a last name; titles and suffixes are dropped."""
    text = " ".join(text.split())
    if not text:
        return "", ""
    if text.count(",") == 1:
        left, right = (part.strip() for part in text.split(","))
        if left and right and _bare(right) not in _SUFFIXES:
            return _strip(right.split(), _PREFIXES, front=True), left
        text = left or right
    words = [w for w in _WORD.split(text) if w]
    while len(words) > 1 and _bare(words[0]) in _PREFIXES:
        words.pop(0)
    while len(words) > 1 and _bare(words[-1]) in _SUFFIXES:
        words.pop()
    if len(words) == 1:
        return "", words[0]
    start = len(words) - 1
    for index in range(1, len(words) - 1):
        if _bare(words[index]) in _PARTICLES:
            start = index
            break
    return " ".join(words[:start]), " ".join(words[start:])


def _strip(words: list[str], drop: frozenset[str], front: bool) -> str:
    while len(words) > 1 and _bare(words[0 if front else -1]) in drop:
        words.pop(0 if front else -1)
    return " ".join(words)
