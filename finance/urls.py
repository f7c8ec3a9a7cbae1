from django.urls import path

from finance.views import staff

app_name = "finance"

urlpatterns = [
    path("staff/finance/", staff.dashboard, name="dashboard"),
    path("staff/finance/invoices/", staff.invoice_list, name="invoices"),
    path("staff/finance/payments/new/", staff.payment_new, name="payment_new"),
]
