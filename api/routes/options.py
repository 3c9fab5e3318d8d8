"""What a batch can be configured with on this deployment (for the new-batch form)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import PrincipalDep, SettingsDep
from api.ratelimit import ApiBudget
from core.batches.schemas import SUPPORTED_LANGUAGES
from core.naming.service import TEMPLATE_FIELDS
from core.vision import registry

router = APIRouter(prefix="/options", tags=["options"], dependencies=[ApiBudget])


class TemplateField(BaseModel):
    name: str
    description: str


class BatchOptions(BaseModel):
    languages: list[str]
    case_styles: list[str]
    template_fields: list[TemplateField]
    providers: list[str] = Field(description="Vision providers a batch may choose on this deployment.")
    default_providers: list[str] = Field(description="The chain used when a batch does not choose.")


@router.get("")
def batch_options(_: PrincipalDep, settings: SettingsDep) -> BatchOptions:
    return BatchOptions(
        languages=list(SUPPORTED_LANGUAGES),
        case_styles=["kebab", "snake"],
        template_fields=[TemplateField(name=name, description=text) for name, text in TEMPLATE_FIELDS.items()],
        providers=registry.available_providers(settings),
        default_providers=settings.provider_chain,
    )
