"""Batch options through the API: what a deployment offers, validation people can act on,
what may change when, keyword suggestions and the provider health check."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from core.db import maintenance_transaction
from core.images.models import Image, ImageStatus
from core.vision.base import Analysis
from tests.fixtures import images as fx
from tests.support.api import create_batch, upload


def test_options_list_languages_template_fields_and_usable_providers(client: TestClient, auth: dict[str, str]) -> None:
    body = client.get("/options", headers=auth).json()
    assert set(body["languages"]) == {"en", "de", "fr", "es", "it", "nl", "pt"}
    assert body["case_styles"] == ["kebab", "snake"]
    fields = {f["name"] for f in body["template_fields"]}
    assert {"brand", "subject", "color", "keyword", "n", "sku"} <= fields
    # local always; openai because the test settings give it a key; Google has no credentials here.
    assert body["default_providers"] == ["local"]
    assert "local" in body["providers"] and "openai" in body["providers"]
    assert "google_vision" not in body["providers"]
    assert client.get("/options").status_code == 401


def test_a_batch_keeps_every_option_it_was_created_with(client: TestClient, auth: dict[str, str]) -> None:
    batch = create_batch(
        client,
        auth,
        keywords=["Sommerschlussverkauf"],
        language="de",
        brand="Acme",
        name_template="{brand}-{subject}-{color}-{n}",
        case_style="snake",
        keep_pattern=r"[A-Z]{2}-\d{4}",
        unicode_names=False,
        allow_unsafe_names=False,
        write_metadata=True,
        strip_gps=True,
        providers=["openai", "local"],
    )
    stored = client.get(f"/batches/{batch['id']}", headers=auth).json()
    for key, value in {
        "language": "de", "brand": "Acme", "name_template": "{brand}-{subject}-{color}-{n}",
        "case_style": "snake", "keep_pattern": r"[A-Z]{2}-\d{4}", "write_metadata": True, "strip_gps": True,
        "providers": ["openai", "local"], "cost_usd": 0,
    }.items():  # fmt: skip
        assert stored[key] == value, key


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"name_template": "{brand}-{colour}"}, "{color}"),
        ({"name_template": "{brand"}, "never closed"),
        ({"keep_pattern": "(a+)+$"}, "pattern"),
        ({"language": "xx"}, "language"),
        ({"case_style": "camel"}, "kebab"),
        ({"providers": ["google_vision"]}, "not available here"),
    ],
)
def test_bad_options_are_refused_with_a_reason(
    client: TestClient, auth: dict[str, str], body: dict[str, object], fragment: str
) -> None:
    response = client.post("/batches", json={"keywords": ["shoes"], **body}, headers=auth)
    assert response.status_code == 422, response.text
    assert fragment.lower() in response.text.lower()


def test_naming_options_are_fixed_once_renaming_starts_but_delivery_options_are_not(
    client: TestClient, auth: dict[str, str], worker: object
) -> None:
    batch = create_batch(client, auth, keywords=["sneakers"])
    changed = client.patch(f"/batches/{batch['id']}", json={"language": "fr", "brand": "Acme"}, headers=auth)
    assert changed.status_code == 200 and changed.json()["language"] == "fr"
    assert client.patch(f"/batches/{batch['id']}", json={"case_style": None}, headers=auth).status_code == 422

    assert upload(client, auth, batch["id"], [("a.jpg", fx.jpeg(640, 480, seed=5))]).status_code == 200
    assert client.post(f"/batches/{batch['id']}/start", headers=auth).status_code == 200
    refused = client.patch(f"/batches/{batch['id']}", json={"language": "de"}, headers=auth)
    assert refused.status_code == 409 and "language" in refused.json()["detail"]
    same = client.patch(f"/batches/{batch['id']}", json={"language": "fr"}, headers=auth)
    assert same.status_code == 200, "sending the unchanged value is not a change"
    delivery = client.patch(f"/batches/{batch['id']}", json={"strip_gps": True}, headers=auth)
    assert delivery.status_code == 200 and delivery.json()["strip_gps"] is True


def test_another_users_batch_options_are_not_found(
    client: TestClient, auth: dict[str, str], other_auth: dict[str, str]
) -> None:
    batch = create_batch(client, auth)
    assert client.patch(f"/batches/{batch['id']}", json={"brand": "x"}, headers=other_auth).status_code == 404
    suggestions = client.post(f"/batches/{batch['id']}/keyword-suggestions", json={}, headers=other_auth)
    assert suggestions.status_code == 404


def _store_analyses(batch_id: str, analyses: list[Analysis]) -> None:
    """Analyses as the worker would have stored them (named images of the batch)."""
    import uuid

    with maintenance_transaction() as session:
        images = session.query(Image).filter(Image.batch_id == uuid.UUID(batch_id)).all()
        for image, analysis in zip(images, analyses, strict=False):
            image.analysis = analysis.model_dump(mode="json")
            image.status = ImageStatus.NAMED


def _analysis(**fields: object) -> Analysis:
    base: dict[str, object] = {"provider": "openai", "width": 800, "height": 600, "orientation": "landscape"}
    base["aspect_ratio"] = 1.33
    base.update(fields)
    return Analysis.model_validate(base)


def test_keyword_suggestions_come_from_the_batchs_own_pictures(client: TestClient, auth: dict[str, str]) -> None:
    batch = create_batch(client, auth, keywords=["handbag"])
    files = [(f"{i}.jpg", fx.jpeg(320, 240, seed=200 + i)) for i in range(3)]
    assert upload(client, auth, batch["id"], files).json()["accepted"] == 3
    _store_analyses(
        batch["id"],
        [
            _analysis(subject="leather handbag", objects=["handbag", "strap"], attributes=["leather", "brown"]),
            _analysis(subject="leather tote", objects=["tote", "handbag"], attributes=["leather"]),
            _analysis(subject="canvas handbag", objects=["handbag"], attributes=["canvas"]),
        ],
    )
    response = client.post(f"/batches/{batch['id']}/keyword-suggestions", json={"limit": 8}, headers=auth)
    assert response.status_code == 200, response.text
    body = response.json()
    keywords = [s["keyword"] for s in body["suggestions"]]
    assert body["keywords"] == ["handbag"]
    assert "handbag" not in keywords, "the batch's own keywords are not suggested back"
    assert any("leather" in k for k in keywords), keywords
    assert all(s["source"] == "analyses" for s in body["suggestions"])
    scores = [s["score"] for s in body["suggestions"]]
    assert scores == sorted(scores, reverse=True)


def test_keyword_suggestions_fall_back_when_the_text_provider_is_down(client: TestClient, auth: dict[str, str]) -> None:
    # The test settings point OpenAI at a port that refuses connections.
    batch = create_batch(client, auth, keywords=["sneakers"], providers=["openai", "local"])
    assert upload(client, auth, batch["id"], [("a.jpg", fx.jpeg(320, 240, seed=300))]).json()["accepted"] == 1
    _store_analyses(batch["id"], [_analysis(subject="running shoe", objects=["shoe", "laces"])])
    response = client.post(
        f"/batches/{batch['id']}/keyword-suggestions", json={"audience": "marathon runners"}, headers=auth
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "openai" in (body["note"] or "")
    assert any("shoe" in s["keyword"] for s in body["suggestions"]), body


def test_provider_health_names_a_broken_provider(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from core.config import get_settings

    assert client.get("/health/providers").json() == {"status": "ok", "providers": {"local": "ok"}}
    monkeypatch.setattr(get_settings(), "vision_provider", "openai,local")
    response = client.get("/health/providers")
    assert response.status_code == 503
    assert response.json()["providers"]["local"] == "ok"
    assert "127.0.0.1:9" in response.json()["providers"]["openai"]
