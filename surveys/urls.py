from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("<slug:slug>/", views.wave_survey, name="wave"),
    path("<slug:slug>/thanks/", views.wave_thanks, name="thanks"),
]
