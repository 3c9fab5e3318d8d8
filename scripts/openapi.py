"""Write the API's OpenAPI document, the source of the frontend's typed client.

    uv run --frozen python scripts/openapi.py                  # -> frontend/openapi.json
    uv run --frozen python scripts/openapi.py -o - | head      # to stdout
    uv run --frozen python scripts/openapi.py --check          # exit 1 if frontend/openapi.json is stale

The output is deterministic (sorted keys, fixed indentation, trailing newline) so the
committed file only changes when the API does. `npm run gen:api` in frontend/ runs this
and then openapi-typescript; `npm run check:api` fails when either file is out of date.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = PROJECT_ROOT / "frontend" / "openapi.json"


def openapi_document() -> str:
    sys.path.insert(0, str(PROJECT_ROOT))
    from api.app import create_app

    return json.dumps(create_app().openapi(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-o", "--output", default=str(DEFAULT_OUTPUT), help="file to write, or - for stdout")
    parser.add_argument("--check", action="store_true", help="compare with the output file instead of writing it")
    args = parser.parse_args(argv)
    # create_app() configures logging at INFO; keep stdout clean for `-o -`.
    document = openapi_document()
    if args.output == "-":
        sys.stdout.write(document)
        return 0
    output = Path(args.output)
    if args.check:
        current = output.read_text(encoding="utf-8") if output.exists() else ""
        if current != document:
            print(f"{output} is out of date: run `make api-client` and commit the result.", file=sys.stderr)
            return 1
        return 0
    output.write_text(document, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
