"""Name templates: a batch may spell its names as a pattern, "{brand}-{subject}-{color}-{keyword}-{n}".

Fields (also in TEMPLATE_FIELDS, which the API exposes):

    {subject}   the main subject: the provider's subject, else its first object, suggested words,
                first label or the original filename's words
    {object}    the most prominent object other than the subject
    {brand}     the batch brand, else a brand the provider read on the picture
    {color}     a colour the provider named, else the measured dominant colour, in the batch language
    {material}  the first attribute that is not a colour: a material or style ("leather")
    {setting}   where the picture was taken as the provider saw it ("studio", "beach")
    {place}     the landmark and the nearest town ("eiffel-tower-paris")
    {keyword}   the first batch keyword;  {keyword2} the second
    {keywords}  every batch keyword that fits within the length limit
    {text}      the first words of the visible text
    {original}  the meaningful words of the original filename (counters and filler removed)
    {sku}       the part of the original filename matched by the batch's keep pattern
    {n}         the image's sequence number in the batch
    {date}      the capture date, YYYY-MM-DD, when the photo's metadata has it
    {camera}    the camera model, when the photo's metadata has it

Text between fields is written in the case style's spelling: "{brand} / {subject}" and
"{brand}_{subject}" both give "acme-handbag" in kebab case, and literal words stay ("shop").
A field with no value disappears with its separator, and a word already used by an earlier
field is not repeated. The length limit still holds: words are dropped from the end of
`keywords`, `text`, `original` and `place` first, then from the other fields right to left
({n}, {sku}, {date} and literal words stay), never cut in half. When nothing but the number
(or nothing at all) remains, the caller falls back to the normal proposal. Templates ignore
the word-count limit: their author chose how many parts a name has.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from core.errors import ValidationFailed
from core.naming.words import slug_words, word_fold

MAX_TEMPLATE_LENGTH = 200

TEMPLATE_FIELDS: Mapping[str, str] = {
    "subject": (
        "The main subject: the provider's subject, else its first object, label or the original filename's words."
    ),
    "object": "The most prominent object other than the subject.",
    "brand": "The batch brand, else a brand the provider read on the picture.",
    "color": "A colour the provider named, else the picture's dominant colour, in the batch language.",
    "material": "The first attribute that is not a colour, such as a material or style (leather).",
    "setting": "Where the picture was taken, as the provider saw it (studio, beach).",
    "place": "The landmark and the nearest town from the photo's GPS position.",
    "keyword": "The first batch keyword.",
    "keyword2": "The second batch keyword.",
    "keywords": "Every batch keyword that fits within the length limit.",
    "text": "The first words of visible text in the picture.",
    "original": "The meaningful words of the original filename, without camera counters and filler.",
    "sku": "The part of the original filename matched by the batch's keep pattern, such as a SKU.",
    "n": "The image's sequence number in the batch.",
    "date": "The capture date from the photo's metadata as YYYY-MM-DD, when known.",
    "camera": "The camera model from the photo's metadata, when known.",
}
# Fields that never describe what the picture shows: the only ones a neutral name may use.
NEUTRAL_FIELDS = frozenset({"brand", "keyword", "keyword2", "keywords", "sku", "n", "date", "camera"})
_KEPT_FIELDS = frozenset({"n", "sku", "date"})
_ELASTIC_FIELDS = ("keywords", "text", "original", "place")

_FIELD = re.compile(r"\{([^{}]*)\}")


def _invalid(reason: str) -> ValidationFailed:
    return ValidationFailed(f"The name template {reason}.", code="invalid_template")


def _known_fields() -> str:
    return ", ".join(f"{{{name}}}" for name in TEMPLATE_FIELDS)


def validate_template(template: str) -> str:
    """The template with its field names normalised ("{ Subject }" -> "{subject}").

    Raises ValidationFailed(code="invalid_template") with a sentence saying what to change."""
    template = template.strip()
    if len(template) > MAX_TEMPLATE_LENGTH:
        raise _invalid(f"is {len(template)} characters long; the limit is {MAX_TEMPLATE_LENGTH}, so please shorten it")
    depth = 0
    for position, char in enumerate(template, start=1):
        if char == "{":
            if depth:
                raise _invalid(f"opens a field inside another at character {position}; fields cannot be nested")
            depth = 1
        elif char == "}":
            if not depth:
                raise _invalid(
                    f"has a “}}” without a matching “{{” at character {position}; write fields as {{subject}}"
                )
            depth = 0
    if depth:
        raise _invalid("has a “{” that is never closed; write fields as {subject}")
    names = _FIELD.findall(template)
    if not names:
        raise _invalid(
            "has no field; add at least one, such as {subject} or {keyword}, for example “{brand}-{subject}-{n}”"
        )
    for raw in names:
        name = raw.strip().lower()
        if name not in TEMPLATE_FIELDS:
            close = difflib.get_close_matches(name, TEMPLATE_FIELDS, n=1)
            hint = f" Did you mean {{{close[0]}}}?" if close else ""
            shown = raw.strip() or " "
            raise ValidationFailed(
                f"The name template has an unknown field {{{shown}}}.{hint} The fields are: {_known_fields()}.",
                code="invalid_template",
            )
    return _FIELD.sub(lambda match: "{" + match.group(1).strip().lower() + "}", template)


@dataclass
class _Part:
    field: str | None  # None for literal words
    words: list[str]


def _parse(template: str, *, language: str, unicode: bool) -> list[_Part]:
    parts: list[_Part] = []
    position = 0
    for match in _FIELD.finditer(template):
        literal = slug_words(template[position : match.start()], language, unicode=unicode)
        if literal:
            parts.append(_Part(None, literal))
        parts.append(_Part(match.group(1).strip().lower(), []))
        position = match.end()
    literal = slug_words(template[position:], language, unicode=unicode)
    if literal:
        parts.append(_Part(None, literal))
    return parts


def _length(parts: Sequence[_Part]) -> int:
    return len("-".join(word for part in parts for word in part.words))


def _trim(parts: list[_Part], max_length: int) -> bool:
    """Drop words from the end of elastic fields, then other optional fields, right to left."""
    optional = [part for part in parts if part.field is not None and part.field not in _KEPT_FIELDS]
    order = [part for part in reversed(optional) if part.field in _ELASTIC_FIELDS]
    order += [part for part in reversed(optional) if part.field not in _ELASTIC_FIELDS]
    for part in order:
        while part.words and _length(parts) > max_length:
            part.words.pop()
    return _length(parts) <= max_length


def render_template(
    template: str,
    values: Mapping[str, Sequence[str]],
    *,
    max_length: int,
    language: str,
    unicode: bool = False,
    neutral: bool = False,
) -> list[str] | None:
    """The name's words in order, or None when the template gives nothing but the number (or
    cannot fit the length limit even with every optional word dropped).

    `values` maps field names to their filename words; a missing or unknown field is empty.
    With `neutral`, only fields that never describe the picture are filled."""
    parts = _parse(template, language=language, unicode=unicode)
    # Literal words count as used, so "{subject}-bag" does not say "bag" twice.
    seen = {word_fold(word, language) for part in parts if part.field is None for word in part.words}
    for part in parts:
        if part.field is None:
            continue
        if neutral and part.field not in NEUTRAL_FIELDS:
            continue
        words = list(values.get(part.field, ()))
        if part.field not in _KEPT_FIELDS:
            words = [word for word in words if word_fold(word, language) not in seen]
        part.words = words
        seen.update(word_fold(word, language) for word in words)
    if not _trim(parts, max_length) or not any(part.words for part in parts if part.field != "n"):
        return None
    return [word for part in parts for word in part.words]
