from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Certificates")

    def ready(self) -> None:
        from django.urls import reverse

        from certificates.selectors import stale_count
        from core.links import Link, offer

        offer(
            "cohort",
            Link(
                _("Issue documents"),
                lambda cohort: reverse("certificates:batch_new", args=[cohort.slug]),
            ),
        )
        offer(
            "cohort",
            Link(
                _("Documents to issue again"),
                lambda cohort: reverse("certificates:stale", args=[cohort.slug]),
                # One query, and shown only when a jury's new decision left some behind.
                shown=lambda cohort: stale_count(cohort=cohort) > 0,
                testid="stale-documents",
            ),
        )
        offer(
            "jury",
            Link(
                _("Draw up the record (PV)"),
                lambda jury: (
                    reverse("certificates:batch_new", args=[jury.cohort.slug])
                    + f"?kind=jury-record&jury={jury.pk}"
                ),
                shown=lambda jury: jury.status != "open",
                testid="jury-record",
            ),
        )
