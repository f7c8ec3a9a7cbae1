"""``{% form_html form %}`` (``{% load rendered_forms %}``): a form's HTML, kept once rendered
for the forms listed here when they are unbound and start empty (the log-in form: every
student opens it on results day).

Django renders a form through a template per field, label, widget and help text: for the
log-in form, a third of the page's time. Unbound and without initial values, its HTML depends
only on the language and on what the process loaded at start (settings, templates,
translations), so each process keeps one copy per language, as the cached template loader
keeps compiled templates until the next restart. Not with DEBUG on, where templates reload
while the server runs."""

from __future__ import annotations

from allauth.account.forms import LoginForm
from django import forms, template
from django.conf import settings
from django.utils import translation
from django.utils.safestring import SafeString

register = template.Library()

KEPT: tuple[type[forms.BaseForm], ...] = (LoginForm,)
_rendered: dict[tuple[type[forms.BaseForm], str, str | bool, str | None], SafeString] = {}


@register.simple_tag
def form_html(form: forms.BaseForm) -> SafeString:
    if settings.DEBUG or form.is_bound or form.initial or type(form) not in KEPT:
        return form.render()
    key = (type(form), translation.get_language() or "", form.auto_id, form.prefix)
    html = _rendered.get(key)
    if html is None:
        html = _rendered[key] = form.render()
    return html
