"""Dutch compounds, split against the vocabulary instead of a dictionary.

Dutch writes compounds as one word (``thuiswerkvergoeding``) where a person may type the
parts (``thuiswerken vergoeding``), or the other way round. No maintained Dutch decompounder
is on PyPI, and a general one would not know words like ``topdesk`` anyway, so the splitter
uses what it has: the words of the knowledge base, the synonym lists and the question itself.

- ``Parts`` indexes every entry word by its prefixes and suffixes (at least ``MIN_PART``
  letters). A question word that is such a part matches the compound when the rest of the
  compound is a known word too (``raad`` + ``s`` + ``vergadering``), so ``kant`` does not
  match ``kantoor``.
- ``split`` cuts an unknown question word into known words (``ziekmelding`` -> ``ziek``,
  ``melding``); ``known_part`` finds the one known half when the other is unknown.
"""

from __future__ import annotations

from collections.abc import Callable

MIN_PART = 4
MIN_REST = 3
# Linking sounds between the parts of a Dutch compound (raad-s-vergadering, pann-e-koek).
LINKS: tuple[str, ...] = ("", "s", "e", "en")


class Parts:
    """part -> the indexed words that start or end with it (incremental)."""

    def __init__(self) -> None:
        self._compounds: dict[str, set[str]] = {}

    @staticmethod
    def cuts(word: str) -> list[str]:
        n = len(word)
        if n < MIN_PART + MIN_REST or not word.isalpha():
            return []  # codes and numbers (w11, 2024) are not compounds
        out: list[str] = []
        for i in range(MIN_PART, n - MIN_REST + 1):
            out.append(word[:i])
        for i in range(MIN_REST, n - MIN_PART + 1):
            out.append(word[i:])
        return out

    def add(self, word: str) -> None:
        for part in self.cuts(word):
            self._compounds.setdefault(part, set()).add(word)

    def remove(self, word: str) -> None:
        for part in self.cuts(word):
            found = self._compounds.get(part)
            if found is not None:
                found.discard(word)
                if not found:
                    del self._compounds[part]

    def compounds(self, part: str, known: Callable[[str], bool]) -> list[str]:
        """Indexed compounds that have ``part`` as a head or tail next to a known word."""
        found = self._compounds.get(part)
        if not found:
            return []
        return [word for word in found if known_rest(word, part, known)]


def known_rest(word: str, part: str, known: Callable[[str], bool]) -> bool:
    if word.startswith(part):
        rest = word[len(part):]
        return any(
            rest.startswith(link) and len(rest) - len(link) >= MIN_REST
            and known(rest[len(link):])
            for link in LINKS
        )
    rest = word[: len(word) - len(part)]
    return any(
        rest.endswith(link) and len(rest) - len(link) >= MIN_REST
        and known(rest[: len(rest) - len(link)])
        for link in LINKS
    )


def split(word: str, known: Callable[[str], bool], *, depth: int = 2) -> list[str] | None:
    """The known words ``word`` is made of (longest head first), or None."""
    for i in range(len(word) - MIN_REST, MIN_REST - 1, -1):
        head, tail = word[:i], word[i:]
        if len(tail) < MIN_REST:
            continue
        for link in LINKS:
            if link and not head.endswith(link):
                continue
            stem = head[: len(head) - len(link)]
            if len(stem) < MIN_REST or not known(stem):
                continue
            if known(tail):
                return [stem, tail]
            if depth > 1:
                rest = split(tail, known, depth=depth - 1)
                if rest is not None:
                    return [stem, *rest]
    return None


def known_part(word: str, known: Callable[[str], bool]) -> str | None:
    """The longest known head or tail of an unknown compound (``stoeptegel`` -> ``stoep``
    when only ``stoep`` is known): weaker evidence than a full split, better than none."""
    best: str | None = None
    for i in range(MIN_PART, len(word) - MIN_REST + 1):
        for part in (word[:i], word[len(word) - i:]):
            if len(part) >= MIN_PART and known(part) and (best is None or len(part) > len(best)):
                best = part
    return best
