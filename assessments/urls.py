from django.urls import path

from assessments import views

app_name = "assessments"
urlpatterns = [
    path("assessments/schemes/", views.scheme_list_view, name="scheme_list"),
    path("assessments/schemes/<int:pk>/", views.scheme_detail_view, name="scheme_detail"),
    path("assessments/schemes/<int:pk>/ranking/", views.ranking_view, name="ranking"),
    path("assessments/schemes/<int:scheme_pk>/indicators/add/", views.indicator_add_view, name="indicator_add"),
    path("assessments/indicators/<int:pk>/edit/", views.indicator_edit_view, name="indicator_edit"),
    path("assessments/indicators/<int:pk>/delete/", views.indicator_delete_view, name="indicator_delete"),
    path("assessments/runs/<int:pk>/", views.run_detail_view, name="run_detail"),
    path("assessments/runs/<int:pk>/progress.json", views.run_progress_view, name="run_progress"),
    path("assessments/results/", views.result_list_view, name="result_list"),
    path("assessments/results/<int:pk>/", views.result_detail_view, name="result_detail"),
]
