from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffingConfig(AppConfig):
    name = "staffing"
    verbose_name = _("staffing")
    # One menu entry; the staffing pages link to each other through tabs.
    sanqi_nav = [(_("Cadres"), "staffing:cadre_list")]
    sanqi_api = True
    sanqi_demo = "staffing.demo.load"
    sanqi_node_panels = ["staffing.panels.staffing_panel"]

    def ready(self):
        from core.audit import register_audited
        from staffing import models

        for model in (models.Cadre, models.Appointment, models.TrainingCourse, models.Attendance, models.Welfare,
                      models.Recognition, models.VolunteerTeam, models.Volunteer):
            register_audited(model)
