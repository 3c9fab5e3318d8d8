"""The naming engine: SEO-ready filenames and alt text from an image analysis. Pure functions."""

from core.naming.keywords import KeywordSuggestion, suggest_keywords
from core.naming.languages import LANGUAGES
from core.naming.patterns import validate_keep_pattern
from core.naming.service import (
    NamingOptions,
    Proposal,
    descriptive_allowed,
    extension_for_mime,
    make_alt_text,
    meaningful_words,
    normalize_user_name,
    propose_name,
    unique_filename,
)
from core.naming.templates import TEMPLATE_FIELDS, validate_template

__all__ = [
    "LANGUAGES",
    "TEMPLATE_FIELDS",
    "KeywordSuggestion",
    "NamingOptions",
    "Proposal",
    "descriptive_allowed",
    "extension_for_mime",
    "make_alt_text",
    "meaningful_words",
    "normalize_user_name",
    "propose_name",
    "suggest_keywords",
    "unique_filename",
    "validate_keep_pattern",
    "validate_template",
]
