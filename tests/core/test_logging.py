"""Structured logs: one JSON object per line with the request's context, or text in development."""

from __future__ import annotations

import contextvars
import io
import json
import logging
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core import logging as log_context


def _line(formatter: logging.Formatter, message: str, *args: object, **extra: object) -> str:
    record = logging.getLogger("renamer.test").makeRecord(
        "renamer.test", logging.WARNING, __file__, 1, message, args, None, extra=extra
    )
    return formatter.format(record)


def test_a_json_line_has_the_fixed_fields_the_context_and_the_extras() -> None:
    log_context.new_context(request_id="req-1", user_id="u-7", batch_id=None)
    entry = json.loads(_line(log_context.JsonFormatter(), "renamed %d images", 3, image_id="img-9", seconds=1.5))

    assert entry["level"] == "WARNING"
    assert entry["logger"] == "renamer.test"
    assert entry["message"] == "renamed 3 images"
    assert entry["timestamp"].endswith("+00:00") and "T" in entry["timestamp"]
    assert (entry["request_id"], entry["user_id"], entry["image_id"]) == ("req-1", "u-7", "img-9")
    assert entry["organization_id"] is None and entry["batch_id"] is None, "every context key is present"
    assert entry["seconds"] == 1.5


def test_an_exception_is_kept_in_one_json_line() -> None:
    log_context.new_context()
    try:
        raise ValueError("bad input")
    except ValueError:
        record = logging.getLogger("x").makeRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    line = log_context.JsonFormatter().format(record)

    assert "\n" not in line
    assert "ValueError: bad input" in json.loads(line)["exception"]


def test_values_json_cannot_encode_are_written_as_text_not_dropped() -> None:
    log_context.new_context()
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    entry = json.loads(_line(log_context.JsonFormatter(), "sweep", report={"at": moment, "path": Path("/a")}))
    assert entry["report"] == {"at": "2026-01-02 03:04:05+00:00", "path": "/a"}


def test_the_text_format_appends_the_bound_context() -> None:
    log_context.new_context(request_id="req-2", batch_id="b-1")
    line = _line(log_context.TextFormatter(), "started")
    assert line.endswith("started [request_id=req-2 batch_id=b-1]")

    log_context.new_context()
    assert _line(log_context.TextFormatter(), "started").endswith("started")


def test_fields_bound_in_a_worker_thread_reach_the_request_that_started_it() -> None:
    # A sync FastAPI dependency runs in a thread with a *copy* of the context: the user id it
    # binds there must still be on the request's later log lines.
    log_context.new_context(request_id="req-3")
    copied = contextvars.copy_context()
    thread = threading.Thread(target=copied.run, args=(log_context.bind,), kwargs={"user_id": "u-1"})
    thread.start()
    thread.join()
    assert log_context.current() == {"request_id": "req-3", "user_id": "u-1"}


def test_a_new_context_drops_the_previous_one() -> None:
    log_context.new_context(request_id="req-4", image_id="i-1")
    log_context.new_context(request_id="req-5")
    assert log_context.current() == {"request_id": "req-5"}
    assert log_context.propagated() == {"request_id": "req-5"}


def test_only_request_user_and_organization_are_handed_to_tasks() -> None:
    log_context.new_context(request_id="r", user_id="u", organization_id="o", batch_id="b", image_id="i")
    assert log_context.propagated() == {"request_id": "r", "user_id": "u", "organization_id": "o"}


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_configure_installs_one_handler_and_replaces_it_when_called_again(
    log_format: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    root = logging.getLogger()
    before = [h for h in root.handlers if not isinstance(h, log_context._RenamerHandler)]
    try:
        log_context.configure("text", "INFO")
        log_context.configure(log_format, "INFO")  # type: ignore[arg-type]
        ours = [h for h in root.handlers if h not in before]
        assert len(ours) == 1 and isinstance(ours[0], log_context._RenamerHandler)
        assert all(h in root.handlers for h in before), "a test runner's capture handler stays"
        log_context.new_context(request_id="req-6")
        logging.getLogger("uvicorn.access").info("GET / 200")
        output = stream.getvalue().strip().splitlines()[-1]
        if log_format == "json":
            assert json.loads(output)["request_id"] == "req-6"
            assert json.loads(output)["logger"] == "uvicorn.access"
        else:
            assert output.endswith("GET / 200 [request_id=req-6]")
    finally:
        for handler in [h for h in root.handlers if h not in before]:
            root.removeHandler(handler)
