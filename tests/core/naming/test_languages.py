"""Names and alt text in en, de, fr, es, it, nl and pt: spelling, stop words, folds, sentences."""

from __future__ import annotations

from typing import Any

import pytest

from core.naming import LANGUAGES, NamingOptions, make_alt_text, meaningful_words, propose_name
from core.naming.alt_phrases import ALT_PHRASES
from core.naming.languages import (
    APOSTROPHE_JOINS,
    FILE_FILLER,
    FOLDS,
    MEDIA_FILLER,
    STOP_WORDS,
    TRANSLITERATION,
    fold,
    stop_words,
)
from core.naming.vocabulary import COLOR_NAMES, GENERIC_WORDS
from core.naming.words import content_words, slug_words
from core.vision.base import Analysis, DominantColor, Place


def analysis(**fields: Any) -> Analysis:
    values: dict[str, Any] = {"provider": "local", "width": 800, "height": 1200, "orientation": "portrait"}
    values["aspect_ratio"] = 0.67
    values.update(fields)
    return Analysis(**values)


def name(original: str, language: str, keywords: list[str] | None = None, given: Analysis | None = None) -> str:
    options = NamingOptions(language=language)
    return propose_name(
        given,
        keywords=keywords or [],
        original_name=original,
        mime_type="image/jpeg",
        options=options,
        fallback_number=7,
    ).stem


@pytest.mark.parametrize(
    "table",
    [STOP_WORDS, MEDIA_FILLER, FILE_FILLER, TRANSLITERATION, APOSTROPHE_JOINS, FOLDS, COLOR_NAMES, GENERIC_WORDS],
)
def test_every_language_has_one_entry_in_every_table(table: Any) -> None:
    assert set(table) == set(LANGUAGES)


def test_every_language_has_alt_text_phrases() -> None:
    assert set(ALT_PHRASES) == set(LANGUAGES)


def test_stop_word_lists_are_written_as_transliterated_words() -> None:
    for language in LANGUAGES:
        for word in stop_words(language):
            assert slug_words(word, language) == [word], (language, word)


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        pytest.param("Größe Äpfel Straße", "de", ["groesse", "aepfel", "strasse"], id="de-umlauts-and-sharp-s"),
        pytest.param("Größe", "en", ["grosse"], id="en-has-no-umlaut-rule"),
        pytest.param("Bœuf Æther", "fr", ["boeuf", "aether"], id="fr-ligatures"),
        pytest.param("Señora Niño", "es", ["senora", "nino"], id="es-tilde"),
        pytest.param("Ĳsselmeer", "nl", ["ijsselmeer"], id="nl-ij"),
        pytest.param("Açaí Limão", "pt", ["acai", "limao"], id="pt-cedilla-and-tilde"),
        pytest.param("l'été à Nice", "fr", ["l", "ete", "a", "nice"], id="fr-elision-separates"),
        pytest.param("dell'acqua", "it", ["dell", "acqua"], id="it-elision-separates"),
        pytest.param("foto's", "nl", ["fotos"], id="nl-apostrophe-joins"),
    ],
)
def test_transliteration_and_apostrophes_per_language(text: str, language: str, expected: list[str]) -> None:
    assert slug_words(text, language) == expected


@pytest.mark.parametrize(
    ("original", "language", "stem"),
    [
        pytest.param("Größe Äpfel Straße.jpg", "de", "groesse-aepfel-strasse", id="de"),
        pytest.param("Foto von der roten Tasche mit dem Gürtel.jpg", "de", "roten-tasche-guertel", id="de-stop-words"),
        pytest.param("photo de la plage avec des enfants et un chien.jpg", "fr", "plage-enfants-chien", id="fr"),
        pytest.param("foto de la playa con los niños y el perro.jpg", "es", "playa-ninos-perro", id="es"),
        pytest.param("foto della spiaggia con i bambini e il cane.jpg", "it", "spiaggia-bambini-cane", id="it"),
        pytest.param("foto van het strand met de kinderen en een hond.jpg", "nl", "strand-kinderen-hond", id="nl"),
        pytest.param("foto da praia com as crianças e o cão.jpg", "pt", "praia-criancas-cao", id="pt"),
        pytest.param("Bild der Tasche kopie.jpg", "de", "tasche-bild-7", id="de-media-and-file-filler"),
    ],
)
def test_stop_words_and_filler_are_dropped_per_language(original: str, language: str, stem: str) -> None:
    proposal = propose_name(
        None,
        keywords=[],
        original_name=original,
        mime_type="image/jpeg",
        options=NamingOptions(language=language),
        fallback_number=7,
    )
    assert proposal.stem == stem


def test_a_word_that_is_a_stop_word_in_one_language_is_content_in_another() -> None:
    # Dutch "door" (through) is a function word; an English door is a subject.
    assert meaningful_words("red door.jpg", language="en") == ["red", "door"]
    assert meaningful_words("rode door de tuin.jpg", language="nl") == ["rode", "tuin"]


@pytest.mark.parametrize(
    ("language", "singular", "plural"),
    [
        ("en", "handbag", "handbags"),
        ("de", "tasche", "taschen"),
        ("de", "auto", "autos"),
        ("fr", "sac", "sacs"),
        ("fr", "chapeau", "chapeaux"),
        ("fr", "journal", "journaux"),
        ("es", "bolso", "bolsos"),
        ("es", "flor", "flores"),
        ("es", "calle", "calles"),
        ("es", "luz", "luces"),
        ("it", "borsa", "borse"),
        ("it", "libro", "libri"),
        ("nl", "tas", "tassen"),
        ("nl", "boek", "boeken"),
        ("pt", "bolsa", "bolsas"),
        ("pt", "limao", "limoes"),
        ("pt", "animal", "animais"),
        ("pt", "flor", "flores"),
    ],
)
def test_plural_folds(language: str, singular: str, plural: str) -> None:
    assert fold(singular, language) == fold(plural, language)


@pytest.mark.parametrize(
    ("language", "first", "second"),
    [("de", "kind", "kinder"), ("en", "bus", "bu"), ("es", "mar", "mares_no"), ("nl", "tas", "tafel")],
)
def test_folds_do_not_merge_unrelated_words(language: str, first: str, second: str) -> None:
    assert fold(first, language) != fold(second, language)


def test_a_plural_keyword_is_not_repeated_after_its_singular_subject() -> None:
    assert name("borsa rossa.jpg", "it", ["borse"]) == "borsa-rossa-7"
    assert name("sac rouge.jpg", "fr", ["sacs"]) == "sac-rouge-7"


@pytest.mark.parametrize(
    ("language", "stem"),
    [
        ("en", "navy-blue-lyon-portrait-image-7"),
        ("de", "marineblau-lyon-hochformat-bild-7"),
        ("fr", "bleu-marine-lyon-portrait-image-7"),
        ("es", "azul-marino-lyon-vertical-imagen-7"),
        ("it", "blu-navy-lyon-verticale-immagine-7"),
        ("nl", "marineblauw-lyon-staand-afbeelding-7"),
        ("pt", "azul-marinho-lyon-vertical-imagem-7"),
    ],
)
def test_the_engines_own_words_are_in_the_batch_language(language: str, stem: str) -> None:
    given = analysis(
        colors=[DominantColor(name="navy blue", hex="#1f2a44", share=0.6)],
        place=Place(name="Lyon", latitude=45.76, longitude=4.84),
    )
    proposal = propose_name(
        given,
        keywords=[],
        original_name="IMG_1234.JPG",
        mime_type="image/jpeg",
        options=NamingOptions(language=language),
        fallback_number=7,
    )
    assert proposal.stem == stem


LOCAL = analysis(
    colors=[DominantColor(name="red", hex="#d71920", share=0.6)],
    faces=2,
    place=Place(name="Lyon", latitude=45.76, longitude=4.84),
)


@pytest.mark.parametrize(
    ("language", "keyword", "expected"),
    [
        ("en", "summer sale", "Summer sale with two people in Lyon, in red tones."),
        ("de", "Sommerschlussverkauf", "Sommerschlussverkauf mit zwei Personen in Lyon, in Rot."),
        ("fr", "soldes d'été", "Soldes d'été avec deux personnes à Lyon, de couleur rouge."),
        ("es", "rebajas de verano", "Rebajas de verano con dos personas en Lyon, de color rojo."),
        ("it", "saldi estivi", "Saldi estivi con due persone a Lyon, di colore rosso."),
        ("nl", "zomeruitverkoop", "Zomeruitverkoop met twee personen in Lyon, in rood."),
        ("pt", "promoção de verão", "Promoção de verão com duas pessoas em Lyon, em tons de vermelho."),
    ],
)
def test_composed_alt_text_is_a_sentence_in_the_batch_language(language: str, keyword: str, expected: str) -> None:
    assert make_alt_text(LOCAL, keywords=[keyword], original_name="IMG_1.jpg", language=language) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Red portrait-format image with the text “OPEN”."),
        ("de", "Bild im Hochformat in Rot, mit dem Text „OPEN“."),
        ("fr", "Image au format portrait de couleur rouge, avec le texte « OPEN »."),
        ("es", "Imagen en formato vertical de color rojo, con el texto «OPEN»."),
        ("it", "Immagine in formato verticale di colore rosso, con il testo «OPEN»."),
        ("nl", "Afbeelding in staand formaat in rood, met de tekst ‘OPEN’."),
        ("pt", "Imagem em formato vertical em tons de vermelho, com o texto “OPEN”."),
    ],
)
def test_descriptive_fallback_alt_text_per_language(language: str, expected: str) -> None:
    given = analysis(colors=[DominantColor(name="red", hex="#d71920", share=0.6)], text="OPEN")
    assert make_alt_text(given, keywords=[], original_name="IMG_1.jpg", language=language) == expected


@pytest.mark.parametrize(
    ("language", "provided", "expected"),
    [
        ("de", "Ein Foto von einer roten Ledertasche auf einem Tisch", "Einer roten Ledertasche auf einem Tisch."),
        ("fr", "Photo d'un sac en cuir rouge sur une table", "Un sac en cuir rouge sur une table."),
        ("es", "Foto de un bolso de cuero rojo", "Un bolso de cuero rojo."),
        ("it", "Immagine di una borsa di pelle rossa", "Una borsa di pelle rossa."),
        ("nl", "Een foto van een rode leren tas", "Een rode leren tas."),
        ("pt", "Foto de uma bolsa de couro vermelha", "Uma bolsa de couro vermelha."),
    ],
)
def test_provider_alt_text_loses_its_opening_in_the_batch_language(language: str, provided: str, expected: str) -> None:
    given = analysis(provider="cloud", alt_text=provided)
    assert make_alt_text(given, keywords=[], original_name="x.jpg", language=language) == expected


def test_german_alt_text_keeps_the_capitals_of_nouns() -> None:
    assert make_alt_text(None, keywords=[], original_name="Größe Äpfel Straße.jpg", language="de") == (
        "Größe Äpfel Straße."
    )
    assert make_alt_text(None, keywords=[], original_name="Red Leather Bag.jpg", language="en") == "Red leather bag."


def test_local_labels_are_translated_and_still_only_pad() -> None:
    given = analysis(labels=["portrait", "black and white"], faces=1)
    assert content_words("Schwarzweiß", "de") == ["schwarzweiss"]
    stem = name("IMG_1.jpg", "de", ["Hochzeit"], given)
    assert stem.startswith("schwarzweiss-hochzeit")
    assert "portraet" in stem or "bild" in stem
