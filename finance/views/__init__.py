"""Finance pages, one module per area: ``staff`` (dashboard, invoices, payments)…"""
