from django.urls import path

from staffing.models import Appointment, Attendance, Cadre, Recognition, TrainingCourse, Volunteer, VolunteerTeam, Welfare
from staffing.views import AttendanceBatchView, build_views

app_name = "staffing"

PATHS = {
    Cadre: "cadres",
    Appointment: "appointments",
    TrainingCourse: "training/courses",
    Attendance: "training/attendance",
    Welfare: "welfare",
    Recognition: "awards",
    VolunteerTeam: "volunteer-teams",
    Volunteer: "volunteers",
}

urlpatterns = [
    # before the generic routes: "batch" is not a record number
    path("staffing/training/attendance/batch/", AttendanceBatchView.as_view(), name="attendance_batch"),
]
for model, base in PATHS.items():
    name = model._meta.model_name
    views = build_views(model)
    urlpatterns += [
        path(f"staffing/{base}/", views["list"].as_view(), name=f"{name}_list"),
        path(f"staffing/{base}/add/", views["edit"].as_view(), name=f"{name}_add"),
        path(f"staffing/{base}/<int:pk>/", views["detail"].as_view(), name=f"{name}_detail"),
        path(f"staffing/{base}/<int:pk>/edit/", views["edit"].as_view(), name=f"{name}_edit"),
        path(f"staffing/{base}/<int:pk>/delete/", views["delete"].as_view(), name=f"{name}_delete"),
    ]
    if "import" in views:
        urlpatterns.append(path(f"staffing/{base}/import/", views["import"].as_view(), name=f"{name}_import"))
