"""Text analysis for the FAQ matcher: normalise, tokenise, drop function words, stem.

Employees type without capitals, accents or punctuation, in Dutch or English. Every text
(entry fields and questions) goes through the same ``Analyzer`` so both sides meet in the
same forms. A token is indexed and looked up under its raw form plus its Dutch and English
snowball stems: the language of a three-word question cannot be told reliably, and taking
the best of the forms costs nothing when they agree.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

_NON_WORD = re.compile(r"[^0-9a-z]+")
_APOSTROPHE_S = re.compile(r"(\w)['’]s\b")

# Function words and question scaffolding ("waar vind ik", "how do I") in both languages:
# they say nothing about which entry is meant.
_STOPWORDS = """
    aan af al alle alles als bij ben bent binnen dan dat de deze die dit doe doen doet door dus
    een eens en er ga gaan gaat had heb hebben heeft het hier hoe hoeveel hun ik in is je jij
    jou jouw jullie kan kun kunnen kunt krijg krijgen me meer met mij mijn moet moeten
    na naar niet nog nu of om onder ons onze ook op over te tot u uw van veel voor waar waarom
    wanneer wat we welk welke wie wij wil willen word worden wordt ze zelf zich zij zijn zit
    zitten zo zou vind vinden staat staan iets iemand graag even toch eigenlijk
    a about am an and any are at be been can could do does did for from get got have has how
    i if in into is it its me my of on or our please should so that the their them there
    this to us was we what when where which who why will with would you your find locate
    need want
"""
STOPWORDS: frozenset[str] = frozenset(_STOPWORDS.split())

# Light words: everyday verbs and fillers of how people phrase a question ("hoe maak ik",
# "hoe werkt", "nieuwe"). They still help to rank, but weigh little and never carry an answer
# on their own: "hoe maak ik pannenkoeken" must not match "hoe maak ik een afspraak".
_LIGHT_WORDS = """
    maak maakt maken werk werkt werken doe doet gaat ga kom komt komen zie ziet zien zet zetten
    geef geeft geven regel regelen help helpen gebruik gebruiken vraag vragen stel stellen kijk
    kijken weet weten nieuw nieuwe nieuwste goed goede snel even wil willen mag mogen
    make makes making work works working get gets getting go goes going use using see give
    take put know new help helps ask
"""
LIGHT_WORDS: frozenset[str] = frozenset(_LIGHT_WORDS.split())


def fold(text: str) -> str:
    """Lower case without accents: ``"Vóór Één"`` -> ``"voor een"``."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """All words of ``text``, folded, punctuation gone, stop words kept.

    Hyphenated words give their parts and the joined word (``ict-probleem`` -> ``ict``,
    ``probleem``, ``ictprobleem``) so both spellings of a compound meet.
    """
    folded = _APOSTROPHE_S.sub(r"\1s", fold(text))
    out: list[str] = []
    for chunk in folded.split():
        parts = [p for p in _NON_WORD.split(chunk) if p]
        out.extend(parts)
        if len(parts) > 1 and "-" in chunk:
            out.append("".join(parts))
    return out


def normalise(text: str) -> str:
    """A canonical string for exact comparison and grouping of questions."""
    return " ".join(w for w in words(text) if w not in STOPWORDS)


@dataclass(frozen=True, slots=True)
class Token:
    """One content word with the forms it is indexed and looked up under."""

    raw: str
    forms: frozenset[str]


class Analyzer:
    """Turns text into content tokens with their forms. Cheap; one per index."""

    def __init__(self) -> None:
        self._nl = snowballstemmer.stemmer("dutch")
        self._en = snowballstemmer.stemmer("english")
        self.forms = lru_cache(maxsize=200_000)(self._forms)

    def _forms(self, word: str) -> frozenset[str]:
        if word.isdecimal() or len(word) < 3:
            return frozenset((word,))
        forms = {word, self._nl.stemWord(word), self._en.stemWord(word)}
        forms.update(_dutch_base(word))
        if word.startswith("ge") and len(word) >= 6:
            # Dutch past participles (gepest, gemeld) meet their verb (pesten, melden); the
            # snowball stemmer keeps the ge- prefix.
            forms.add(self._nl.stemWord(word[2:]))
        return frozenset(forms)

    def tokens(self, text: str, *, keep_stopwords: bool = False) -> list[Token]:
        return [
            Token(w, self.forms(w))
            for w in words(text)
            if keep_stopwords or w not in STOPWORDS
        ]


_VOWELS = frozenset("aeiou")


def _dutch_base(word: str) -> list[str]:
    """The bare stem of a Dutch plural, infinitive or verb form, where snowball disagrees
    with itself (``melden`` -> ``mel``, ``meld`` -> ``meld``): ``melden`` -> ``meld``, ``dagen`` ->
    ``dag``, ``vragen`` -> ``vrag`` and ``vraag``."""
    if len(word) >= 5 and word[-1] == "t" and word[-2] not in _VOWELS and word[-2] != "t":
        return [word[:-1]]  # third person: vergadert -> vergader, meldt -> meld
    if len(word) < 5 or not word.endswith("en") or word[-3] in _VOWELS:
        return []
    base = word[:-2]
    out = [base]
    if len(base) >= 3 and base[-1] not in _VOWELS and base[-2] in "aeou" and (
        base[-3] not in _VOWELS
    ):
        out.append(base[:-1] + base[-2] + base[-1])  # open syllable: vra-gen -> vraag
    return out
