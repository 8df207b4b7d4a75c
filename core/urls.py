from django.urls import path

from core import views

app_name = "core"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("changelog/", views.ChangeLogView.as_view(), name="changelog"),
]
