from typing import Any

from django.http import HttpRequest


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the base layout needs on every page."""
    return {"product_name": "grassroots"}
