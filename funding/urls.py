from django.urls import path

from funding import views

app_name = "funding"
urlpatterns = [
    path("funding/compliance/", views.ComplianceView.as_view(), name="compliance"),
    path("funding/standards/", views.StandardListView.as_view(), name="standard_list"),
    path("funding/standards/add/", views.StandardEditView.as_view(), name="standard_add"),
    path("funding/standards/import/", views.StandardImportView.as_view(), name="standard_import"),
    path("funding/standards/<int:pk>/", views.StandardDetailView.as_view(), name="standard_detail"),
    path("funding/standards/<int:pk>/edit/", views.StandardEditView.as_view(), name="standard_edit"),
    path("funding/standards/<int:pk>/delete/", views.StandardDeleteView.as_view(), name="standard_delete"),
    path("funding/allocations/", views.AllocationListView.as_view(), name="allocation_list"),
    path("funding/allocations/add/", views.AllocationEditView.as_view(), name="allocation_add"),
    path("funding/allocations/import/", views.AllocationImportView.as_view(), name="allocation_import"),
    path("funding/allocations/<int:pk>/", views.AllocationDetailView.as_view(), name="allocation_detail"),
    path("funding/allocations/<int:pk>/edit/", views.AllocationEditView.as_view(), name="allocation_edit"),
    path("funding/allocations/<int:pk>/delete/", views.AllocationDeleteView.as_view(), name="allocation_delete"),
    path("funding/expenditures/", views.ExpenditureListView.as_view(), name="expenditure_list"),
    path("funding/expenditures/add/", views.ExpenditureEditView.as_view(), name="expenditure_add"),
    path("funding/expenditures/import/", views.ExpenditureImportView.as_view(), name="expenditure_import"),
    path("funding/expenditures/<int:pk>/", views.ExpenditureDetailView.as_view(), name="expenditure_detail"),
    path("funding/expenditures/<int:pk>/edit/", views.ExpenditureEditView.as_view(), name="expenditure_edit"),
    path("funding/expenditures/<int:pk>/delete/", views.ExpenditureDeleteView.as_view(), name="expenditure_delete"),
]
