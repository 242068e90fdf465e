from typing import Any

from django import template

register = template.Library()


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """``{{ labels|get:event.kind }}``: look a value up by a variable key."""
    try:
        return mapping.get(key, key)
    except AttributeError:
        return key
