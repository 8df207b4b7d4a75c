from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from staffing import models


@admin.register(models.Cadre)
class CadreAdmin(SimpleHistoryAdmin):
    list_display = ["name", "community", "gender", "birth_date", "education"]
    list_filter = ["education", "gender"]
    search_fields = ["name", "community__name"]
    autocomplete_fields = ["community"]
    exclude = ["id_number", "phone"]  # personal data: kept off the admin; pages and API mask it
    list_select_related = ["community"]

    def has_add_permission(self, request):
        # Cadres are entered through the pages, which check the ID number and record access.
        return False


@admin.register(models.Appointment)
class AppointmentAdmin(SimpleHistoryAdmin):
    list_display = ["cadre", "post", "start_date", "end_date", "employment_form"]
    list_filter = ["post", "employment_form", "recruitment_channel"]
    search_fields = ["cadre__name"]
    raw_id_fields = ["cadre"]
    list_select_related = ["cadre"]


@admin.register(models.TrainingCourse)
class TrainingCourseAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "organizer", "start_date", "hours"]
    list_filter = ["kind"]
    search_fields = ["name"]
    autocomplete_fields = ["organizer"]


for model in (models.Attendance, models.Welfare, models.Recognition, models.Volunteer):
    admin.site.register(model, SimpleHistoryAdmin, raw_id_fields=[f.name for f in model._meta.concrete_fields if f.is_relation])


@admin.register(models.VolunteerTeam)
class VolunteerTeamAdmin(SimpleHistoryAdmin):
    list_display = ["name", "community", "service_type", "founded_on"]
    list_filter = ["service_type"]
    search_fields = ["name"]
    autocomplete_fields = ["community"]
