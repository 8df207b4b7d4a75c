from django.urls import path

from venues import views

app_name = "venues"
urlpatterns = [
    path("venues/", views.VenueListView.as_view(), name="venue_list"),
    path("venues/add/", views.VenueEditView.as_view(), name="venue_add"),
    path("venues/import/", views.VenueImportView.as_view(), name="venue_import"),
    path("venues/<int:pk>/", views.VenueDetailView.as_view(), name="venue_detail"),
    path("venues/<int:pk>/edit/", views.VenueEditView.as_view(), name="venue_edit"),
    path("venues/<int:pk>/delete/", views.VenueDeleteView.as_view(), name="venue_delete"),
    path("venues/standards/", views.AreaStandardListView.as_view(), name="areastandard_list"),
    path("venues/standards/add/", views.AreaStandardEditView.as_view(), name="areastandard_add"),
    path("venues/standards/import/", views.AreaStandardImportView.as_view(), name="areastandard_import"),
    path("venues/standards/<int:pk>/", views.AreaStandardDetailView.as_view(), name="areastandard_detail"),
    path("venues/standards/<int:pk>/edit/", views.AreaStandardEditView.as_view(), name="areastandard_edit"),
    path("venues/standards/<int:pk>/delete/", views.AreaStandardDeleteView.as_view(), name="areastandard_delete"),
    path("venues/compliance/", views.ComplianceView.as_view(), name="compliance"),
]
