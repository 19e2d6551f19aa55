"""The way back from Stripe's Checkout, under /p/checkout/ (the portal's
headers, no link in it): the return addresses Stripe holds name the session
alone, never a client's link."""

from django.urls import path

from portal.views import payments

app_name = "checkout"

urlpatterns = [
    path("return/", payments.checkout_return, name="return"),
    path("canceled/", payments.checkout_canceled, name="canceled"),
]
