"""The committed OpenAPI document, rendered the same way every time."""

from __future__ import annotations

import json

from app.settings import Settings


def render_openapi() -> str:
    from app.main import create_app

    app = create_app(
        Settings(database_url="sqlite://", public_base_url="https://badges.example.org")
    )
    return json.dumps(app.openapi(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
