from django.urls import path

from finance import views

app_name = "finance"

urlpatterns = [
    path("staff/finance/", views.dashboard, name="dashboard"),
    path("staff/finance/invoices/", views.invoice_list, name="invoices"),
    path("staff/finance/payments/new/", views.payment_new, name="payment_new"),
]
