"""Streaming multipart reception: each file part goes straight into a bounded spool.

Starlette's `request.form()` spools every part before the route runs and has no per-file
size cap, so a 5 GB part would be written out in full before we could refuse it. Here
the request body is fed to python-multipart's low-level parser as it arrives; a part
that passes the size limit stops being kept at once (it is then reported as too large).
"""

from __future__ import annotations

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from core.errors import BadRequest
from core.images.ingest import ReceivedFile


async def receive_files(request: Request, *, max_file_bytes: int, max_files: int) -> list[ReceivedFile]:
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise BadRequest("Send the images as multipart/form-data, one part per file.", code="not_multipart")

    files: list[ReceivedFile] = []
    header_name = b""
    headers: dict[bytes, bytes] = {}
    current: ReceivedFile | None = None

    def on_part_begin() -> None:
        nonlocal current
        headers.clear()
        current = None

    def on_header_field(data: bytes, start: int, end: int) -> None:
        nonlocal header_name
        header_name += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        key = header_name.lower()
        headers[key] = headers.get(key, b"") + data[start:end]

    def on_header_end() -> None:
        nonlocal header_name
        header_name = b""

    def on_headers_finished() -> None:
        nonlocal current
        _, disposition = parse_options_header(headers.get(b"content-disposition", b""))
        if b"filename" not in disposition:
            return  # a plain form field: ignored
        if len(files) >= max_files:
            raise BadRequest(f"Send at most {max_files} files per request.", code="too_many_files_in_request")
        name = disposition[b"filename"].decode("utf-8", "replace")
        current = ReceivedFile(filename=name, max_bytes=max_file_bytes)
        files.append(current)

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if current is not None:
            current.write(data[start:end])

    def on_part_end() -> None:
        if current is not None:
            current.finish()

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        },
    )
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except BadRequest:
        for received in files:
            received.close()
        raise
    except Exception as exc:
        for received in files:
            received.close()
        raise BadRequest(
            "The upload was cut off or is not valid multipart data; send it again.", code="bad_multipart"
        ) from exc
    if not files:
        raise BadRequest(
            "No files in the request: send each image as a file part (field name 'files').", code="no_files"
        )
    return files
