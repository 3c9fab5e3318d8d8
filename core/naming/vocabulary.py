"""The few words the engine writes itself, per language: colour names, padding words, local labels.

The local analyzer speaks English: its colour names come from a fixed palette (core.vision.colors)
and its labels from a fixed set ("portrait", "people", "text" ...). A German batch must not be
named "rot" in one place and "red" in another, so those fixed words are translated here. Words a
provider returns (subjects, objects, attributes) are kept as they came: providers are asked to
answer in the batch language.

Colour names are written for alt text (German nouns capitalised, accents kept); filenames take
their slug ("Königsblau" -> "koenigsblau").
"""

from __future__ import annotations

from collections.abc import Mapping

from core.naming.lexicon import word_set


def _in_order(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_PALETTE = _in_order(
    "black charcoal gray silver off-white white cream beige taupe tan camel brown chocolate-brown rust red burgundy "
    "coral pink hot-pink magenta orange peach mustard yellow gold lime-green green forest-green olive-green "
    "sage-green mint-green teal turquoise navy-blue royal-blue blue steel-blue sky-blue purple lavender lilac plum"
)
# Palette names that contain a hyphen in the palette itself.
_HYPHENATED = frozenset({"off-white"})
PALETTE_NAMES = tuple(name if name in _HYPHENATED else name.replace("-", " ") for name in _PALETTE)


def _palette_names(text: str) -> dict[str, str]:
    """Translations written in palette order, separated by "|", keyed by the English palette name."""
    names = [name.strip() for name in text.split("|")]
    if len(names) != len(_PALETTE):
        raise ValueError(f"expected {len(_PALETTE)} colour names, got {len(names)}")
    return dict(zip(PALETTE_NAMES, names, strict=True))


COLOR_NAMES: Mapping[str, Mapping[str, str]] = {
    "en": {},
    "de": _palette_names(
        "Schwarz|Anthrazit|Grau|Silber|Altweiß|Weiß|Creme|Beige|Taupe|Hellbraun|Camel|Braun|Schokobraun|Rost|Rot|"
        "Bordeaux|Koralle|Rosa|Pink|Magenta|Orange|Pfirsich|Senfgelb|Gelb|Gold|Limettengrün|Grün|Waldgrün|"
        "Olivgrün|Salbeigrün|Mintgrün|Petrol|Türkis|Marineblau|Königsblau|Blau|Stahlblau|Himmelblau|Lila|"
        "Lavendel|Flieder|Pflaume"
    ),
    "fr": _palette_names(
        "noir|anthracite|gris|argent|blanc cassé|blanc|crème|beige|taupe|fauve|camel|marron|chocolat|rouille|rouge|"
        "bordeaux|corail|rose|rose vif|magenta|orange|pêche|moutarde|jaune|or|vert citron|vert|vert forêt|"
        "vert olive|vert sauge|vert menthe|bleu canard|turquoise|bleu marine|bleu roi|bleu|bleu acier|bleu ciel|"
        "violet|lavande|lilas|prune"
    ),
    "es": _palette_names(
        "negro|antracita|gris|plateado|blanco roto|blanco|crema|beige|topo|canela|camel|marrón|chocolate|óxido|rojo|"
        "burdeos|coral|rosa|rosa intenso|magenta|naranja|melocotón|mostaza|amarillo|dorado|verde lima|verde|"
        "verde bosque|verde oliva|verde salvia|verde menta|verde azulado|turquesa|azul marino|azul real|azul|"
        "azul acero|azul cielo|morado|lavanda|lila|ciruela"
    ),
    "it": _palette_names(
        "nero|antracite|grigio|argento|bianco sporco|bianco|crema|beige|tortora|cuoio|cammello|marrone|cioccolato|"
        "ruggine|rosso|bordeaux|corallo|rosa|fucsia|magenta|arancione|pesca|senape|giallo|oro|verde lime|verde|"
        "verde bosco|verde oliva|verde salvia|verde menta|verde petrolio|turchese|blu navy|blu reale|blu|"
        "blu acciaio|azzurro|viola|lavanda|lilla|prugna"
    ),
    "nl": _palette_names(
        "zwart|antraciet|grijs|zilver|gebroken wit|wit|crème|beige|taupe|lichtbruin|camel|bruin|chocoladebruin|roest|"
        "rood|bordeaux|koraal|roze|felroze|magenta|oranje|perzik|mosterd|geel|goud|limoengroen|groen|bosgroen|"
        "olijfgroen|saliegroen|mintgroen|petrol|turquoise|marineblauw|koningsblauw|blauw|staalblauw|hemelsblauw|"
        "paars|lavendel|lila|pruim"
    ),
    "pt": _palette_names(
        "preto|grafite|cinza|prata|branco-gelo|branco|creme|bege|taupe|bege-escuro|caramelo|marrom|chocolate|"
        "ferrugem|vermelho|bordô|coral|rosa|rosa-choque|magenta|laranja|pêssego|mostarda|amarelo|dourado|"
        "verde-limão|verde|verde-floresta|verde-oliva|verde-sálvia|verde-menta|azul-petróleo|turquesa|"
        "azul-marinho|azul-royal|azul|azul-aço|azul-celeste|roxo|lavanda|lilás|ameixa"
    ),
}

# Colour words recognised in provider attributes in any language, so an attribute such as
# "navy" or "rouge" takes the place of the measured dominant colour rather than adding a second.
EXTRA_COLOR_WORDS = word_set(
    "navy ivory khaki maroon violet indigo cyan aqua bronze copper champagne nude blush mauve olive emerald "
    "multicolor multicolour colorful colourful"
)


class Generic:
    """The engine's own words in one language: padding, orientation and the local analyzer's labels."""

    def __init__(
        self,
        *,
        image: str,
        untitled: tuple[str, ...],
        orientation: Mapping[str, str],
        labels: Mapping[str, str],
    ) -> None:
        self.image = image  # the padding word: "image-7"
        self.untitled = untitled  # "untitled-image-7", "sans-titre-image-7"
        self.orientation = orientation  # filename word per Analysis.orientation
        self.labels = labels  # the local analyzer's English labels, translated


GENERIC_WORDS: Mapping[str, Generic] = {
    "en": Generic(
        image="image",
        untitled=("untitled",),
        orientation={"landscape": "landscape", "portrait": "portrait", "square": "square"},
        labels={},
    ),
    "de": Generic(
        image="bild",
        untitled=("unbenannt",),
        orientation={"landscape": "querformat", "portrait": "hochformat", "square": "quadratisch"},
        labels={
            "portrait": "Porträt",
            "person": "Person",
            "people": "Menschen",
            "group": "Gruppe",
            "text": "Text",
            "black and white": "Schwarzweiß",
        },
    ),
    "fr": Generic(
        image="image",
        untitled=("sans", "titre"),
        orientation={"landscape": "paysage", "portrait": "portrait", "square": "carre"},
        labels={
            "portrait": "portrait",
            "person": "personne",
            "people": "personnes",
            "group": "groupe",
            "text": "texte",
            "black and white": "noir et blanc",
        },
    ),
    "es": Generic(
        image="imagen",
        untitled=("sin", "titulo"),
        orientation={"landscape": "horizontal", "portrait": "vertical", "square": "cuadrado"},
        labels={
            "portrait": "retrato",
            "person": "persona",
            "people": "personas",
            "group": "grupo",
            "text": "texto",
            "black and white": "blanco y negro",
        },
    ),
    "it": Generic(
        image="immagine",
        untitled=("senza", "titolo"),
        orientation={"landscape": "orizzontale", "portrait": "verticale", "square": "quadrato"},
        labels={
            "portrait": "ritratto",
            "person": "persona",
            "people": "persone",
            "group": "gruppo",
            "text": "testo",
            "black and white": "bianco e nero",
        },
    ),
    "nl": Generic(
        image="afbeelding",
        untitled=("naamloos",),
        orientation={"landscape": "liggend", "portrait": "staand", "square": "vierkant"},
        labels={
            "portrait": "portret",
            "person": "persoon",
            "people": "mensen",
            "group": "groep",
            "text": "tekst",
            "black and white": "zwart-wit",
        },
    ),
    "pt": Generic(
        image="imagem",
        untitled=("sem", "titulo"),
        orientation={"landscape": "horizontal", "portrait": "vertical", "square": "quadrado"},
        labels={
            "portrait": "retrato",
            "person": "pessoa",
            "people": "pessoas",
            "group": "grupo",
            "text": "texto",
            "black and white": "preto e branco",
        },
    ),
}
