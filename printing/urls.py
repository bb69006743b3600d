from django.urls import path

from . import views

app_name = "printing"

urlpatterns = [
    path("<str:code>", views.short_link, name="short_link"),
]
