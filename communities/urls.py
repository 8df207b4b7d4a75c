from django.urls import path

from communities import views

app_name = "communities"
urlpatterns = [
    path("tree/", views.TreeView.as_view(), name="tree"),
    path("tree/<str:code>/", views.TreeView.as_view(), name="tree_node"),
    path("communities/", views.CommunityListView.as_view(), name="community_list"),
    path("communities/add/", views.CommunityEditView.as_view(), name="community_add"),
    path("communities/import/", views.CommunityImportView.as_view(), name="community_import"),
    path("communities/<int:pk>/", views.CommunityDetailView.as_view(), name="community_detail"),
    path("communities/<int:pk>/edit/", views.CommunityEditView.as_view(), name="community_edit"),
    path("communities/<int:pk>/delete/", views.CommunityDeleteView.as_view(), name="community_delete"),
]
