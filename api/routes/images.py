from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from api.deps import PrincipalDep, SessionDep, StorageDep
from api.ratelimit import ApiBudget
from core.images import service
from core.images.schemas import ImageEdit, ImagePublic

router = APIRouter(prefix="/images", tags=["images"], dependencies=[ApiBudget])


@router.get("/{image_id}")
def get_image(image_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, storage: StorageDep) -> ImagePublic:
    return service.to_public(service.get(session, principal, image_id), storage)


@router.patch("/{image_id}")
def edit_image(
    image_id: uuid.UUID, body: ImageEdit, principal: PrincipalDep, session: SessionDep, storage: StorageDep
) -> ImagePublic:
    """Change the filename (same rules as proposals; must stay unique in the batch) or alt text."""
    return service.to_public(service.edit(session, principal, image_id, change=body), storage)


@router.post("/{image_id}/regenerate", status_code=status.HTTP_202_ACCEPTED)
def regenerate(image_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, storage: StorageDep) -> ImagePublic:
    """Analyse and name the image again; also retries a failed image."""
    return service.to_public(service.regenerate(session, principal, image_id), storage)
