"""Batch options in a real browser: a German batch with a brand and a naming template made
from the field chips (after the server refused a misspelt one with its own message),
keyword ideas from the first analysed pictures, names that follow the template in German,
a near-duplicate linked to the image it repeats, and "Strip GPS location" switched on after
completion, which rebuilds the ZIP without GPS positions.
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PIL import ExifTags, Image

from tests.fixtures import images as fixtures

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

PARIS = (48.8566, 2.3522)
# With language "de", template {brand}_{color}_{keyword}_{n} and brand Acme, these are named
# acme_<colour>_sommer_<n>: the two seed-2 photos are green ("gruen" in German) and the
# second is the same picture at a lower JPEG quality, so it is a near-duplicate.
FILES = [
    ("IMG_1001.jpg", {"seed": 0, "quality": 85}),
    ("IMG_1002.jpg", {"seed": 2, "quality": 85}),
    ("IMG_1002-web.jpg", {"seed": 2, "quality": 60}),
]
NAME = re.compile(r"acme_([a-z]+(?:_[a-z]+)*)_sommer_\d+\.jpg")


def _write_files(directory: Path) -> list[Path]:
    paths = []
    for name, params in FILES:
        path = directory / name
        path.write_bytes(fixtures.jpeg(640, 480, gps=PARIS, **params))
        paths.append(path)
    return paths


def _gps_of(data: bytes) -> dict[int, Any]:
    return dict(Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo))


def _download_zip(page: Any, tmp_path: Path, name: str) -> dict[str, bytes]:
    from playwright.sync_api import expect

    button = page.get_by_test_id("download-zip")
    expect(button).to_be_enabled(timeout=90_000)
    with page.expect_download(timeout=60_000) as download_info:
        button.click()
    path = tmp_path / name
    download_info.value.save_as(path)
    with zipfile.ZipFile(path) as archive:
        return {member: archive.read(member) for member in archive.namelist() if member.endswith(".jpg")}


def test_german_template_batch_with_delivery_options(stack: Any, browser: Any, artifacts: Path, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    try:
        _scenario(stack, page, artifacts, tmp_path)
        assert page_errors == [], page_errors
    except BaseException:
        page.screenshot(path=artifacts / "options-failure.png", full_page=True)
        print(f"failed at {page.url}")
        raise
    finally:
        context.close()


def _scenario(stack: Any, page: Any, artifacts: Path, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    base = stack.frontend_url
    page.goto(f"{base}/signup")
    page.get_by_label("Work email").fill(f"options-{uuid.uuid4().hex[:10]}@example.com")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Your batches")).to_be_visible()

    # ---------------------------------------------------------------- the form: German, brand, template
    page.goto(f"{base}/batches/new")
    expect(page.get_by_role("heading", name="New batch")).to_be_visible()
    page.get_by_label("Batch name").fill("Sommerkampagne")
    keywords = page.get_by_label("Keywords", exact=True)
    keywords.fill("Sommer")
    keywords.press("Enter")
    language = page.get_by_label("Language")
    expect(language.locator("option[value=de]")).to_have_text("German (Deutsch)")  # offered by GET /options
    language.select_option("de")
    page.get_by_label("Brand").fill("Acme")
    page.get_by_text("Advanced options").click()
    page.get_by_label("Case style").select_option("snake")

    template = page.get_by_test_id("template-input")
    template.fill("{brand}_{colour}_{n}")
    expect(page.get_by_test_id("template-hint")).to_contain_text("{colour} is not a field")
    page.get_by_role("button", name="Create batch and add images").click()
    # The server's sentence, next to the field and above the button; the page stays on the form.
    error = page.get_by_test_id("template-error")
    expect(error).to_contain_text("unknown field {colour}")
    expect(error).to_contain_text("Did you mean {color}?")
    expect(template).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_test_id("form-error")).to_contain_text("Did you mean {color}?")
    assert page.url.endswith("/batches/new")
    page.screenshot(path=artifacts / "options-1-bad-template.png", full_page=True)

    template.fill("")
    expect(page.get_by_test_id("template-error")).to_have_count(0)  # the message went with the text
    for field in ("brand", "color", "keyword", "n"):
        page.get_by_role("button", name=re.compile(rf"^\{{{field}\}}\s*:")).click()
    expect(template).to_have_value("{brand}_{color}_{keyword}_{n}")  # joined with the case style's "_"
    expect(page.get_by_test_id("template-hint")).to_contain_text("acme_rot_sommer_1.jpg")
    page.get_by_role("button", name="Create batch and add images").click()

    workspace = page.get_by_test_id("batch-workspace")
    expect(workspace).to_have_attribute("data-connection", "live")
    settings = page.get_by_test_id("batch-settings")
    settings.get_by_text("Batch settings").click()
    expect(settings).to_contain_text("German")
    expect(settings).to_contain_text("{brand}_{color}_{keyword}_{n}")
    expect(settings).to_contain_text("snake_case")

    # ---------------------------------------------------------------- upload; names arrive while uploads are open
    page.get_by_test_id("file-input").set_input_files([str(p) for p in _write_files(tmp_path)])
    expect(page.locator("[data-testid=upload-row][data-state=named]")).to_have_count(len(FILES), timeout=180_000)

    # ---------------------------------------------------------------- keyword ideas from those pictures
    ideas = page.get_by_test_id("keyword-suggestions")
    ideas.get_by_label("Audience").fill("Touristen in Paris")
    with page.expect_response(re.compile(r"/keyword-suggestions$")) as suggested:
        ideas.get_by_role("button", name="Suggest keywords").click()
    assert suggested.value.status == 200
    paris = ideas.locator('[data-testid=keyword-suggestion][data-keyword="paris" i]')
    expect(paris).to_have_count(1)  # the geocoded place of all three photos
    added = paris.get_attribute("data-keyword")
    paris.click()
    expect(page.get_by_role("list", name="Keywords").get_by_role("listitem")).to_have_text(["Sommer", added])
    expect(paris).to_be_disabled()
    page.screenshot(path=artifacts / "options-2-keyword-ideas.png", full_page=True)

    # ---------------------------------------------------------------- review: German names after the template
    page.get_by_role("button", name="Start renaming").click()
    review = page.get_by_test_id("review-summary")
    expect(review).to_contain_text(f"All set: {len(FILES)} images named", timeout=120_000)
    names = [n.strip() for n in page.get_by_test_id("final-name").all_inner_texts()]
    colours = [match.group(1) for match in (NAME.fullmatch(n) for n in names) if match]
    assert len(colours) == len(FILES), names
    assert "gruen" in colours and "green" not in colours, names  # the colour is named in German
    alt_texts = [page.get_by_test_id("alt-input").nth(i).input_value() for i in range(len(FILES))]
    assert any("Grün" in text for text in alt_texts), alt_texts
    expect(page.get_by_test_id("image-provider").first).to_have_text(re.compile("Built-in analyser"))
    expect(page.get_by_test_id("batch-cost")).to_have_count(0)  # the built-in analyser costs nothing

    # The re-encoded copy links to the photo it repeats, by that photo's final name.
    duplicate = page.locator("[data-testid=image-card][data-near-duplicate-of]")
    expect(duplicate).to_have_count(1)
    original_id = duplicate.get_attribute("data-near-duplicate-of")
    original = page.locator(f'[data-testid=image-card][data-image-id="{original_id}"]')
    original_name = original.get_by_test_id("final-name").inner_text().strip()
    assert NAME.fullmatch(original_name) and "_gruen_" in original_name, original_name
    expect(duplicate.get_by_test_id("flag-duplicate")).to_have_text(f"Near-duplicate of {original_name}")
    duplicate.get_by_role("link", name=original_name).click()
    expect(original).to_be_focused()
    page.screenshot(path=artifacts / "options-3-review.png", full_page=True)

    # ---------------------------------------------------------------- strip GPS after completion: the ZIP is rebuilt
    before = _download_zip(page, tmp_path, "before.zip")
    assert sorted(before) == sorted(names)
    assert all(_gps_of(data) for data in before.values()), "the delivered photos should keep GPS by default"

    strip = settings.get_by_label("Strip GPS location")
    expect(strip).not_to_be_checked()
    with page.expect_response(lambda r: r.request.method == "PATCH" and "/batches/" in r.url) as patched:
        strip.check()
    assert patched.value.status == 200
    expect(settings.get_by_test_id("delivery-note")).to_contain_text(re.compile(r"ZIP (is being|has been) rebuilt"))
    expect(strip).to_be_checked()
    expect(strip).to_be_enabled()
    page.screenshot(path=artifacts / "options-4-strip-gps.png", full_page=True)

    # The button comes back only for the rebuilt ZIP, never for the one built before the change.
    after = _download_zip(page, tmp_path, "after.zip")
    assert sorted(after) == sorted(names)
    assert not any(_gps_of(data) for data in after.values()), "GPS positions are still in the rebuilt ZIP"
    expect(settings.get_by_test_id("delivery-note")).to_contain_text("has been rebuilt")

    # The setting is the batch's: a fresh load shows it.
    page.reload()
    settings = page.get_by_test_id("batch-settings")
    settings.get_by_text("Batch settings").click()
    expect(settings.get_by_label("Strip GPS location")).to_be_checked()
