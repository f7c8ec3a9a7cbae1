from django import template

from core.translated import localized

register = template.Library()


@register.filter
def tr(obj: object, field: str) -> str:
    """``{{ module|tr:"title" }}``: the field in the reader's language, French as fallback."""
    return localized(obj, field)
