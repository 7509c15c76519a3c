"""``freeText`` as the real server's Sphinx MATCH runs it: whole words, not substrings.

Server: ``SphinxCriteria::addFreeTextToMatchClauseByMatchFields`` and
``configurations/sphinx/kaltura.conf.template`` (``dict = keywords``, ``enable_star = 1``,
``min_prefix_len = 3`` for entries, 1 for categories; ``charset_table``; ``blend_chars``).

Rules:
1. Text is cut into words of letters and digits, lower-cased, accents folded (``é`` is ``e``);
   other characters separate words. A character outside the charset (a non-Latin letter, say)
   separates words too, so it can never be searched for: a query word made only of such
   characters restricts nothing (Sphinx is left no keyword for it). Blend characters (``-``, ``/``,
   ``'``, ``:`` ...) also keep the joined word (``foo-bar`` is ``foo-bar``, ``foo`` and ``bar``).
2. The whole value in double quotes (``"Intro to Bio"``) matches a field whose words are exactly
   those words (``^phrase$``).
3. Otherwise, with a comma after the first character the value is split on commas and the parts
   are ORed; within a part (or the whole value) words separated by spaces are ANDed, each found
   in any of the fields.
4. A word matches a whole word only. ``word*`` matches words starting with ``word`` when the
   prefix has at least ``min_prefix`` characters (3 for entries); a shorter one matches nothing.
   A word with blend characters matches its joined form, or its parts next to each other.
5. ``!word`` excludes entries having the word.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kaltura_mm.sandbox.store import SandboxStore

ENTRY_BLEND = "!$'()*-/:;<=#[\\]^`{|}~%&+>?@_"
CATEGORY_CHARS = "_%&?@+.>"  # kaltura_base_gt_in_charset: word characters for categories
CATEGORY_BLEND = "!$'()*-/:;<=#[\\]^`{|}~"
FIELDS = 6  # the SQL function's fields after the query and the charset (unused ones are NULL)


@dataclass(frozen=True)
class Charset:
    """Which characters make words (besides a-z and 0-9), which blend, the shortest prefix."""

    word_chars: str
    blend_chars: str
    min_prefix: int


ENTRIES = Charset("", ENTRY_BLEND, 3)
CATEGORIES = Charset(CATEGORY_CHARS, CATEGORY_BLEND, 1)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _is_word_char(char: str, charset: Charset) -> bool:
    return ("a" <= char <= "z") or ("0" <= char <= "9") or char in charset.word_chars


@lru_cache(maxsize=65_536)
def words(text: str, charset: Charset) -> tuple[tuple[str, ...], frozenset[str]]:
    """Return a field's word sequence and every token it is indexed under (rule 1)."""
    folded = _fold(text)
    sequence: list[str] = []
    tokens: set[str] = set()
    for run in re.split(r"\s+", folded):
        current = ""
        blended = ""
        for char in run + " ":
            if _is_word_char(char, charset):
                current += char
                blended += char
                continue
            if current:
                sequence.append(current)
                tokens.add(current)
            current = ""
            if char in charset.blend_chars:
                blended += char
            else:
                _add_blended(blended, tokens, charset)
                blended = ""
    return tuple(sequence), frozenset(tokens)


def _add_blended(run: str, tokens: set[str], charset: Charset) -> None:
    trimmed = run.strip(charset.blend_chars)
    if any(c in charset.blend_chars for c in trimmed):
        tokens.add(trimmed)


def _has_run(sequence: tuple[str, ...], parts: tuple[str, ...]) -> bool:
    width = len(parts)
    return any(sequence[i : i + width] == parts for i in range(len(sequence) - width + 1))


def _word_matches(word: str, fields: list[str], charset: Charset) -> bool:
    """Rule 4 for one query word against the fields (any of them)."""
    indexed = [words(f, charset) for f in fields]
    if word.endswith("*"):
        prefix_words, _ = words(word.rstrip("*"), charset)
        if len(prefix_words) != 1 or len(prefix_words[0]) < charset.min_prefix:
            return False
        prefix = prefix_words[0]
        return any(t.startswith(prefix) for _, tokens in indexed for t in tokens)
    parts, tokens_of_word = words(word, charset)
    blended = tokens_of_word - set(parts)  # the joined forms only
    if not parts:
        return True  # punctuation alone: no word to look for
    if len(parts) == 1:
        return any(parts[0] in tokens for _, tokens in indexed)
    return any((blended & tokens) or _has_run(sequence, parts) for sequence, tokens in indexed)


def _part_matches(part: str, fields: list[str], charset: Charset) -> bool:
    for word in part.split():
        negated = word.startswith("!")
        found = _word_matches(word.lstrip("!"), fields, charset)
        if found == negated:
            return False
    return True


def matches(query: str, fields: list[str | None], charset: Charset = ENTRIES) -> bool:
    """Return True when the fields match the ``freeText`` value (rules 2 to 5)."""
    texts = [f for f in fields if f]
    if re.fullmatch(r'"[^"]+"', query):
        phrase, _ = words(query.strip('"'), charset)
        return any(words(f, charset)[0] == phrase for f in texts)
    parts = query.split(",") if query.find(",") > 0 else [query]
    parts = [p for p in parts if p.strip()]
    return any(_part_matches(p, texts, charset) for p in parts)


def register(store: SandboxStore) -> None:
    """Make ``sandbox_free_text(query, charset, field...)`` callable from SQL (6 fields); cheap
    enough to do for every query that uses it."""

    def run(query: str, kind: str, *fields: str | None) -> int:
        return int(matches(query, list(fields), CATEGORIES if kind == "category" else ENTRIES))

    store.function("sandbox_free_text", run, 2 + FIELDS)
