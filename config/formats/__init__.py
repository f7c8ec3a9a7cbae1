"""The project's date and number formats per language (``FORMAT_MODULE_PATH``).

One rule on every page, export and e-mail: dates day first (the order Algerian readers
use, in all three languages: "01/12/2026" is the first of December), times on 24 hours, and
one decimal separator per language — the comma in French and Arabic (Western digits, as
Algerian administrations and our documents print marks: "12,50"), the point in English.
Digits are grouped by three (a no-break space in French and Arabic) where grouping is asked for
(``USE_THOUSAND_SEPARATOR`` stays off: a mark or a count is never grouped). Django's own
modules fill in what is not written here (French needs nothing more than Django's).
"""
