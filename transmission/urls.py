from django.urls import path

from transmission import views

app_name = "transmission"

urlpatterns = [
    path("webhook/", views.platform_webhook, name="webhook"),
]
