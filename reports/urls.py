from django.urls import path

from reports import dashboard_views, views

app_name = "reports"
urlpatterns = [
    path("reports/dashboard/", dashboard_views.dashboard_view, name="dashboard"),
    path("reports/summaries/", views.SummaryListView.as_view(), name="summary_list"),
    path("reports/summaries/start/", views.summary_start_view, name="summary_start"),
    path("reports/summaries/<int:pk>/", views.summary_detail_view, name="summary_detail"),
    path("reports/summaries/<int:pk>/regenerate/", views.summary_regenerate_view, name="summary_regenerate"),
    path("reports/summaries/<int:pk>/delete/", views.summary_delete_view, name="summary_delete"),
    path("reports/summaries/<int:pk>/progress.json", views.summary_progress_view, name="summary_progress"),
    path("reports/summaries/<int:pk>/summary.docx", views.summary_docx_view, name="summary_docx"),
    path("reports/summaries/<int:pk>/statistics.xlsx", views.summary_xlsx_view, name="summary_xlsx"),
    path("reports/suggestions/", views.SuggestionListView.as_view(), name="suggestion_list"),
    path("reports/suggestions/add/", views.SuggestionEditView.as_view(), name="suggestion_add"),
    path("reports/suggestions/<int:pk>/edit/", views.SuggestionEditView.as_view(), name="suggestion_edit"),
    path("reports/suggestions/<int:pk>/delete/", views.SuggestionDeleteView.as_view(), name="suggestion_delete"),
]
