from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Certificates")

    def ready(self) -> None:
        from django.urls import reverse

        from core.links import Link, offer

        offer(
            "cohort",
            Link(
                _("Issue documents"),
                lambda cohort: reverse("certificates:batch_new", args=[cohort.slug]),
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
