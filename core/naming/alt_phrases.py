"""The phrases alt text is composed with, one entry per language.

Phrases are chosen so they need no grammatical gender or article for the word they carry:
a colour follows "de couleur" / "di colore" / "em tons de" rather than agreeing with a noun,
a place takes the preposition used for towns ("à Lyon", "a Roma"), and a landmark or setting
stands as an apposition after a comma.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


def _opening(articles: str, nouns: str, links: str) -> re.Pattern[str]:
    """ "A photo of", "Ein Foto von", "Photo d'un": the openings stripped from a provider's alt text."""
    return re.compile(
        rf"^\s*(?:(?:this|here)\s+is\s+)?(?:(?:{articles})\s+)?(?:close[\s-]?up\s+)?"
        rf"(?:{nouns})s?\s+(?:{links})(?:(?<=['’])|\s+|$)",
        re.IGNORECASE,
    )


def _counted(one: str, some: str, many: str, numbers: str) -> Callable[[int], str]:
    """People phrases: `one` for a single face, `some` with a number word up to ten, `many` beyond."""
    words = numbers.split()

    def people(faces: int) -> str:
        if faces <= 1:
            return one
        if faces <= 10:
            return some.format(count=words[faces - 2])
        return many

    return people


@dataclass(frozen=True)
class AltPhrases:
    people: Callable[[int], str]  # faces (>= 1) -> "with two people"
    place: str  # "in {place}"
    color: str  # "in {color} tones"
    text: str  # "with the text “{text}”"
    fallback: str  # "{color} {orientation}-format image"; {color} may be empty
    untitled: str  # when nothing at all is known
    with_: str  # "with {things}": the other objects in the picture
    and_: str  # the last joiner of a list: "handbag and sunglasses"
    brand: str  # "by {brand}"
    setting: str  # "{setting}": an apposition after a comma
    neutral: str  # "Image for {topic}": a flagged picture, described by the batch topic only
    neutral_untitled: str  # a flagged picture in a batch with no keyword or brand
    opening: re.Pattern[str]
    color_in_fallback: bool = False  # English says "Red portrait-format image"; others add the colour phrase
    orientation: Mapping[str, str] = field(default_factory=dict)  # Analysis.orientation -> word in `fallback`


ALT_PHRASES: Mapping[str, AltPhrases] = {
    "en": AltPhrases(
        people=_counted(
            "with one person",
            "with {count} people",
            "with a group of people",
            "two three four five six seven eight nine ten",
        ),
        place="in {place}",
        color="in {color} tones",
        text="with the text “{text}”",
        fallback="{color} {orientation}-format image",
        untitled="untitled image",
        with_="with {things}",
        and_="and",
        brand="by {brand}",
        setting="{setting}",
        neutral="image for {topic}",
        neutral_untitled="image",
        opening=_opening(
            "a|an|the",
            "image|picture|photo|photograph|pic|snapshot|illustration|screenshot",
            "of|showing|shows|depicting|featuring",
        ),
        color_in_fallback=True,
    ),
    "de": AltPhrases(
        people=_counted(
            "mit einer Person",
            "mit {count} Personen",
            "mit einer Gruppe von Menschen",
            "zwei drei vier fünf sechs sieben acht neun zehn",
        ),
        place="in {place}",
        color="in {color}",
        text="mit dem Text „{text}“",
        fallback="Bild im {orientation}",
        untitled="Bild ohne Titel",
        with_="mit {things}",
        and_="und",
        brand="von {brand}",
        setting="{setting}",
        neutral="Bild zu {topic}",
        neutral_untitled="Bild",
        opening=_opening(
            "ein|eine|das|die", "bild|foto|fotografie|aufnahme|abbildung|illustration", "von|vom|mit|eines|einer|zeigt"
        ),
        orientation={"landscape": "Querformat", "portrait": "Hochformat", "square": "quadratischen Format"},
    ),
    "fr": AltPhrases(
        people=_counted(
            "avec une personne",
            "avec {count} personnes",
            "avec un groupe de personnes",
            "deux trois quatre cinq six sept huit neuf dix",
        ),
        place="à {place}",
        color="de couleur {color}",
        text="avec le texte « {text} »",
        fallback="image au format {orientation}",
        untitled="image sans titre",
        with_="avec {things}",
        and_="et",
        brand="de la marque {brand}",
        setting="{setting}",
        neutral="image pour {topic}",
        neutral_untitled="image",
        opening=_opening(
            "une?|la|le|l['’]", "image|photo|photographie|illustration", "de|d['’]|du|des|montrant|représentant"
        ),
        orientation={"landscape": "paysage", "portrait": "portrait", "square": "carré"},
    ),
    "es": AltPhrases(
        people=_counted(
            "con una persona",
            "con {count} personas",
            "con un grupo de personas",
            "dos tres cuatro cinco seis siete ocho nueve diez",
        ),
        place="en {place}",
        color="de color {color}",
        text="con el texto «{text}»",
        fallback="imagen en formato {orientation}",
        untitled="imagen sin título",
        with_="con {things}",
        and_="y",
        brand="de la marca {brand}",
        setting="{setting}",
        neutral="imagen para {topic}",
        neutral_untitled="imagen",
        opening=_opening("una?|la|el", "imagen|foto|fotografía|ilustración", "de|del|que muestra|mostrando"),
        orientation={"landscape": "horizontal", "portrait": "vertical", "square": "cuadrado"},
    ),
    "it": AltPhrases(
        people=_counted(
            "con una persona",
            "con {count} persone",
            "con un gruppo di persone",
            "due tre quattro cinque sei sette otto nove dieci",
        ),
        place="a {place}",
        color="di colore {color}",
        text="con il testo «{text}»",
        fallback="immagine in formato {orientation}",
        untitled="immagine senza titolo",
        with_="con {things}",
        and_="e",
        brand="del marchio {brand}",
        setting="{setting}",
        neutral="immagine per {topic}",
        neutral_untitled="immagine",
        opening=_opening(
            "una?|un['’]|la|il|l['’]",
            "immagine|foto|fotografia|illustrazione",
            "di|del|della|dello|che mostra|raffigurante",
        ),
        orientation={"landscape": "orizzontale", "portrait": "verticale", "square": "quadrato"},
    ),
    "nl": AltPhrases(
        people=_counted(
            "met één persoon",
            "met {count} personen",
            "met een groep mensen",
            "twee drie vier vijf zes zeven acht negen tien",
        ),
        place="in {place}",
        color="in {color}",
        text="met de tekst ‘{text}’",
        fallback="afbeelding in {orientation} formaat",
        untitled="afbeelding zonder titel",
        with_="met {things}",
        and_="en",
        brand="van {brand}",
        setting="{setting}",
        neutral="afbeelding voor {topic}",
        neutral_untitled="afbeelding",
        opening=_opening("een|de|het", "afbeelding|foto|plaatje|illustratie", "van|met|toont"),
        orientation={"landscape": "liggend", "portrait": "staand", "square": "vierkant"},
    ),
    "pt": AltPhrases(
        people=_counted(
            "com uma pessoa",
            "com {count} pessoas",
            "com um grupo de pessoas",
            "duas três quatro cinco seis sete oito nove dez",
        ),
        place="em {place}",
        color="em tons de {color}",
        text="com o texto “{text}”",
        fallback="imagem em formato {orientation}",
        untitled="imagem sem título",
        with_="com {things}",
        and_="e",
        brand="da marca {brand}",
        setting="{setting}",
        neutral="imagem para {topic}",
        neutral_untitled="imagem",
        opening=_opening("uma?|a|o", "imagem|foto|fotografia|ilustração", "de|da|do|mostrando|que mostra"),
        orientation={"landscape": "horizontal", "portrait": "vertical", "square": "quadrado"},
    ),
}
