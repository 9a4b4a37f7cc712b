from django import template

register = template.Library()


@register.filter
def colname(value: str) -> str:
    """`help_requests` -> `help requests`; `_s`/`_min` suffixes read as units."""
    text = str(value)
    for suffix, unit in (("_s", " (s)"), ("_min", " (min)")):
        if text.endswith(suffix):
            text = text[: -len(suffix)] + unit
    return text.replace("_", " ")


@register.filter
def pct(value) -> str:
    if value is None or value == "":
        return "–"
    return f"{float(value) * 100:.0f}%"


@register.filter
def get(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
