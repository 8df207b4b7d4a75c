from django.urls import path

from core import recycle_views, views

app_name = "core"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("changelog/", views.ChangeLogView.as_view(), name="changelog"),
    path("recycle-bin/", recycle_views.RecycleBinView.as_view(), name="recycle_bin"),
    path("recycle-bin/<int:pk>/", recycle_views.RecycleEntryView.as_view(), name="recycle_entry"),
    path("recycle-bin/<int:pk>/restore/", recycle_views.RecycleEntryRestoreView.as_view(), name="recycle_restore"),
]
