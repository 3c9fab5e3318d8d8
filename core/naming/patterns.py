"""The batch's keep pattern: a regular expression whose first match in the original filename
(a SKU such as "AB-1234") is kept in the new name.

Python's `re` backtracks and cannot be interrupted, so a pattern such as `(a+)+$` could hold a
worker for hours on one 255-character filename. The `regex` module (with its timeout) and RE2
are not installed, so safety is structural: a short pattern, no quantified group that itself
holds a quantifier or an alternation (the source of exponential backtracking), no
backreference, and at most two unbounded quantifiers, which caps the polynomial worst case of
a search over 255 characters at roughly 255³ steps (well under a second). A timed run against
adversarial filenames then confirms it.
"""

from __future__ import annotations

import functools
import re
import time
import unicodedata
from typing import TYPE_CHECKING, Any

from core.errors import ValidationFailed
from core.naming.words import strip_extension

if TYPE_CHECKING:  # typeshed knows the pre-3.11 names; at run time they live in re._parser
    import sre_constants as _constants
    import sre_parse as _parser
else:
    from re import _constants, _parser

MAX_PATTERN_LENGTH = 100
MAX_FILENAME_LENGTH = 255
MAX_UNBOUNDED_QUANTIFIERS = 2
# A counted repeat above this behaves like an unbounded one on a 255-character name.
_UNBOUNDED_ABOVE = 32
_MAX_SECONDS = 0.05
_ADVERSARIAL = tuple(
    text * (MAX_FILENAME_LENGTH // len(text)) + tail
    for text in ("a", "A", "1", "a1", "A-", "-", " ", "_", "aA1-_ .")
    for tail in ("", "!", "\u00e9")
)
_REPEATS = (_constants.MAX_REPEAT, _constants.MIN_REPEAT, getattr(_constants, "POSSESSIVE_REPEAT", None))
_HINT = "for example “[A-Z]{2}-\\d{4}” for a SKU such as AB-1234"


def _refuse(reason: str) -> ValidationFailed:
    return ValidationFailed(f"The keep pattern {reason}; {_HINT}.", code="invalid_pattern")


def _children(op: Any, av: Any) -> list[Any]:
    """The sub-patterns under one parsed node (groups, branches, lookarounds, repeats)."""
    if op in _REPEATS:
        return [av[2]]
    if op == _constants.SUBPATTERN:
        return [av[-1]]
    if op == _constants.BRANCH:
        return list(av[1])
    if op in (_constants.ASSERT, _constants.ASSERT_NOT):
        return [av[1]]
    if op == getattr(_constants, "ATOMIC_GROUP", None):
        return [av]
    if op == _constants.GROUPREF_EXISTS:
        return [branch for branch in av[1:] if branch is not None]
    return []


def _risky_inside(pattern: Any) -> bool:
    """True when a sub-pattern holds a quantifier or an alternation."""
    for op, av in pattern:
        if (op in _REPEATS and av[1] > 1) or op == _constants.BRANCH:
            return True
        if any(_risky_inside(child) for child in _children(op, av)):
            return True
    return False


def _check_structure(pattern: Any) -> int:
    """Raise for the constructs that backtrack badly; return the number of unbounded quantifiers."""
    unbounded = 0
    for op, av in pattern:
        if op in (_constants.GROUPREF, _constants.GROUPREF_EXISTS):
            raise _refuse("uses a backreference, which can take too long to match")
        if op in _REPEATS:
            is_unbounded = av[1] == _constants.MAXREPEAT or av[1] > _UNBOUNDED_ABOVE
            if is_unbounded and _risky_inside(av[2]):
                raise _refuse(
                    "repeats a group that itself repeats or has alternatives, such as “(a+)+” or “(a|b)*”, "
                    "which can take too long to match"
                )
            unbounded += is_unbounded
        for child in _children(op, av):
            unbounded += _check_structure(child)
    return unbounded


def validate_keep_pattern(pattern: str) -> str:
    """The pattern, stripped, if it is a safe regular expression that matches something.

    Raises ValidationFailed(code="invalid_pattern") with a sentence saying what to change."""
    pattern = pattern.strip()
    if not pattern:
        raise _refuse("is empty; leave it out or write a regular expression")
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise _refuse(f"is {len(pattern)} characters long; the limit is {MAX_PATTERN_LENGTH}")
    try:
        compiled = re.compile(pattern)
        parsed = _parser.parse(pattern)
    except re.error as exc:
        raise _refuse(f"is not a valid regular expression ({exc.msg} at position {exc.pos})") from None
    if _check_structure(parsed) > MAX_UNBOUNDED_QUANTIFIERS:
        raise _refuse(
            f"has more than {MAX_UNBOUNDED_QUANTIFIERS} open-ended quantifiers (+, * or {{n,}}); "
            "use counted ones such as {2,6}"
        )
    if compiled.fullmatch("") is not None:
        raise _refuse("can match an empty text, so it would keep nothing; make at least one part required")
    for text in _ADVERSARIAL:
        started = time.perf_counter()
        compiled.search(text)
        if time.perf_counter() - started > _MAX_SECONDS:
            raise _refuse("takes too long to match a long filename; simplify it")
    return pattern


@functools.lru_cache(maxsize=64)
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None


def kept_text(pattern: str | None, original_name: str) -> tuple[str, str] | None:
    """(the kept text, the original name without the whole match), or None when there is no match.

    The first capturing group is kept when the pattern has one ("sku[-_](\\w+)"), else the whole
    match. The pattern was validated when the batch was saved; an unusable one keeps nothing."""
    compiled = _compiled(pattern) if pattern else None
    if compiled is None:
        return None
    name = re.split(r"[/\\]", original_name)[-1]
    name = strip_extension(unicodedata.normalize("NFC", name))[:MAX_FILENAME_LENGTH]
    match = compiled.search(name)
    if match is None:
        return None
    group = 1 if compiled.groups and match.group(1) else 0
    kept = match.group(group).strip()
    if not kept:
        return None
    return kept, name[: match.start()] + " " + name[match.end() :]
