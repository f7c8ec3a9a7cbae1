"""The months as Algeria names them in Arabic (جانفي, فيفري, … as Babel's ``ar_DZ`` and the
documents print them), where Django's own Arabic catalogue has the Egyptian names (يناير…).

Django formats a date's month with ``gettext("January")`` …; the project's catalogue comes
before Django's, so these msgids — listed here so that ``make messages`` keeps them — are
translated in locale/ar with the Algerian names (the other languages keep Django's)."""

from django.utils.translation import gettext_noop

MONTHS = (
    gettext_noop("January"),
    gettext_noop("February"),
    gettext_noop("March"),
    gettext_noop("April"),
    gettext_noop("May"),
    gettext_noop("June"),
    gettext_noop("July"),
    gettext_noop("August"),
    gettext_noop("September"),
    gettext_noop("October"),
    gettext_noop("November"),
    gettext_noop("December"),
)
