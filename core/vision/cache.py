"""Reading and writing the analysis cache (core.vision.models.AnalysisCacheEntry).

The key is the organization (the transaction's tenant), the image's SHA-256, the provider
and a prompt key: the provider's prompt version plus a digest of the context that goes into
the prompt (keywords, language, brand), since the same picture asked about with other
keywords gets another answer. Without a tenant there is no cache: nothing is read or kept.
"""

from __future__ import annotations

import hashlib
import json

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from core.db import tenant_of, transaction
from core.vision.base import Analysis, AnalysisContext
from core.vision.models import AnalysisCacheEntry


def prompt_key(prompt_version: str, context: AnalysisContext) -> str:
    asked = {
        "keywords": [keyword.casefold() for keyword in context.keywords],
        "language": context.language,
        "brand": (context.brand or "").casefold(),
    }
    digest = hashlib.sha256(json.dumps(asked, sort_keys=True).encode()).hexdigest()[:24]
    return f"{prompt_version[:48]}:{digest}"


def get(sessions: sessionmaker[Session], checksum: str, provider: str, key: str) -> Analysis | None:
    with transaction(sessions) as session:
        tenant = tenant_of(session)
        if tenant is None:
            return None
        entry = session.get(AnalysisCacheEntry, (tenant, checksum, provider, key))
        if entry is None:
            return None
        return Analysis.model_validate(entry.analysis)


def put(sessions: sessionmaker[Session], checksum: str, provider: str, key: str, analysis: Analysis) -> None:
    """Store a paid-for result; a concurrent writer of the same key wins, which is harmless."""
    with transaction(sessions) as session:
        tenant = tenant_of(session)
        if tenant is None:
            return
        row = {
            "organization_id": tenant,
            "checksum": checksum,
            "provider": provider,
            "prompt_key": key,
            "analysis": analysis.model_dump(mode="json"),
        }
        session.execute(insert(AnalysisCacheEntry).values(**row).on_conflict_do_nothing())
