"""A guess at the language of a question, from its function words (Dutch or English).

Used to answer in the asker's language when an entry has a twin: an English question from a
person whose locale is Dutch still gets the English twin. Short questions without function
words ("loonstrook") give no guess; the caller then keeps the asker's locale.
"""

from __future__ import annotations

from commands.wheres.text import words

_DUTCH_WORDS = """
    ik je jij mijn het een de van waar hoe wat wie wanneer is ben bent heb heeft kan kun mag
    moet wil niet met voor op aan bij naar dat dit die er nog ook maar als of zijn wordt krijg
    vind staat geen hoeveel welke waarom zo te om door over
"""
_ENGLISH_WORDS = """
    i my the a an of where how what who when is am are have has can could may must want not
    with for on at to that this there still also but if or be get find do does did your you
    which why much many from by about
"""
_DUTCH = frozenset(_DUTCH_WORDS.split())
_ENGLISH = frozenset(_ENGLISH_WORDS.split())


def guess_lang(text: str) -> str | None:
    """"nl", "en" or None when the words do not tell."""
    found = words(text)
    dutch = sum(w in _DUTCH and w not in _ENGLISH for w in found)
    english = sum(w in _ENGLISH and w not in _DUTCH for w in found)
    if dutch == english:
        return None
    return "nl" if dutch > english else "en"
