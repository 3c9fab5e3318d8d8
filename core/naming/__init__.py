"""The naming engine: SEO-ready filenames and alt text from an image analysis. Pure functions."""

from core.naming.service import (
    NamingOptions,
    Proposal,
    extension_for_mime,
    make_alt_text,
    meaningful_words,
    normalize_user_name,
    propose_name,
    unique_filename,
)

__all__ = [
    "NamingOptions",
    "Proposal",
    "extension_for_mime",
    "make_alt_text",
    "meaningful_words",
    "normalize_user_name",
    "propose_name",
    "unique_filename",
]
