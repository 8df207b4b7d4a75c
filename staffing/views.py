from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View

from core.contention import retry_once
from core.pagination import paginate
from core.views import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectImportView,
    ObjectListView,
    add_validation_error,
    can_change_any,
    querystring_without,
)
from staffing import services
from staffing.filters import (
    AppointmentFilterSet,
    AttendanceFilterSet,
    CadreFilterSet,
    RecognitionFilterSet,
    TrainingCourseFilterSet,
    VolunteerFilterSet,
    VolunteerTeamFilterSet,
    WelfareFilterSet,
)
from staffing.forms import (
    AppointmentForm,
    AttendanceBatchForm,
    AttendanceForm,
    CadreForm,
    RecognitionForm,
    TrainingCourseForm,
    VolunteerForm,
    VolunteerTeamForm,
    WelfareForm,
    editable_cadres,
)
from staffing.models import Appointment, Attendance, Cadre, Recognition, TrainingCourse, Volunteer, VolunteerTeam, Welfare
from staffing.personal import present
from staffing.sheets import AttendanceSheet, CadreSheet
from staffing.tables import detail_rows, table

CADRE_RELATED = ("cadre", "cadre__community", "cadre__community__parent")

# model: (queryset, filterset, form, list title, sheet)
REGISTRY = {
    Cadre: (Cadre.objects.select_related("community", "community__parent"), CadreFilterSet, CadreForm, _("Community cadres"), CadreSheet),
    Appointment: (Appointment.objects.select_related(*CADRE_RELATED), AppointmentFilterSet, AppointmentForm, _("Appointments"), None),
    TrainingCourse: (TrainingCourse.objects.select_related("organizer"), TrainingCourseFilterSet, TrainingCourseForm, _("Training courses"), None),
    Attendance: (Attendance.objects.select_related("course", *CADRE_RELATED), AttendanceFilterSet, AttendanceForm, _("Training attendance"), AttendanceSheet),
    Welfare: (Welfare.objects.select_related(*CADRE_RELATED), WelfareFilterSet, WelfareForm, _("Allowances and insurance"), None),
    Recognition: (Recognition.objects.select_related(*CADRE_RELATED), RecognitionFilterSet, RecognitionForm, _("Awards and promotions"), None),
    VolunteerTeam: (
        VolunteerTeam.objects.select_related("community", "community__parent").annotate(member_count=Count("members")).order_by("community__code", "name", "id"),
        VolunteerTeamFilterSet, VolunteerTeamForm, _("Volunteer teams"), None,
    ),
    Volunteer: (Volunteer.objects.select_related("team", "team__community"), VolunteerFilterSet, VolunteerForm, _("Volunteers"), None),
}

# Tabs shown above every staffing list.
TABS = [
    (_("Community cadres"), "staffing:cadre_list"),
    (_("Appointments"), "staffing:appointment_list"),
    (_("Training courses"), "staffing:trainingcourse_list"),
    (_("Training attendance"), "staffing:attendance_list"),
    (_("Allowances and insurance"), "staffing:welfare_list"),
    (_("Awards and promotions"), "staffing:recognition_list"),
    (_("Volunteer teams"), "staffing:volunteerteam_list"),
    (_("Volunteers"), "staffing:volunteer_list"),
]


def _name(model):
    return model._meta.model_name


class StaffingListView(ObjectListView):
    tabs_template = "staffing/_tabs.html"
    table_template = "staffing/_list_table.html"


class StaffingDetailView(ObjectDetailView):
    template_name = "staffing/object_detail.html"

    def related(self, obj) -> list[dict]:
        return []

    def extra_context(self, obj):
        if isinstance(obj, Cadre):
            present(self.request.user, [obj], channel="page", record=False)  # ObjectDetailView records
        return {
            "rows": detail_rows(obj),
            "model_name": _name(type(obj)),
            "verbose_name": type(obj)._meta.verbose_name,
            "related": self.related(obj),
            "list_url": f"staffing:{_name(type(obj))}_list",
            "may_enter": can_change_any(self.request.user),
        }


def related_block(request, model, queryset, add_query=""):
    from django.urls import reverse

    return {
        "title": model._meta.verbose_name_plural,
        "table": table(model, queryset, request.user),
        "add_url": reverse(f"staffing:{_name(model)}_add") + add_query,
    }


class CadreDetailView(StaffingDetailView):
    def related(self, obj):
        r = self.request
        q = f"?cadre={obj.pk}"
        return [
            related_block(r, Appointment, REGISTRY[Appointment][0].filter(cadre=obj), q),
            related_block(r, Attendance, REGISTRY[Attendance][0].filter(cadre=obj), q),
            related_block(r, Welfare, REGISTRY[Welfare][0].filter(cadre=obj), q),
            related_block(r, Recognition, REGISTRY[Recognition][0].filter(cadre=obj), q),
        ]


class TrainingCourseDetailView(StaffingDetailView):
    def related(self, obj):
        from django.urls import reverse

        visible = REGISTRY[Attendance][0].visible_to(self.request.user).filter(course=obj)
        block = related_block(self.request, Attendance, visible, f"?course={obj.pk}")
        block["batch_url"] = f"{reverse('staffing:attendance_batch')}?course={obj.pk}"
        return [block]


class VolunteerTeamDetailView(StaffingDetailView):
    def related(self, obj):
        return [related_block(self.request, Volunteer, REGISTRY[Volunteer][0].filter(team=obj), f"?team={obj.pk}")]


class StaffingEditView(ObjectEditView):
    def get_form(self, obj=None, data=None):
        form = super().get_form(obj, data)
        if obj is None and data is None:
            # ?cadre=, ?course=, ?team= preselect the parent record (links from detail pages).
            for name in ("cadre", "course", "team", "community"):
                value = self.request.GET.get(name, "")
                if name in form.fields and value.isdigit():
                    form.initial[name] = int(value)
        return form


DETAIL_VIEWS = {Cadre: CadreDetailView, TrainingCourse: TrainingCourseDetailView, VolunteerTeam: VolunteerTeamDetailView}


def build_views(model):
    queryset, filterset, form, title, sheet = REGISTRY[model]
    name = _name(model)
    prefix = f"staffing:{name}"
    list_url = f"{prefix}_list"
    attrs = {"model": model, "queryset": queryset}
    views = {
        "list": type(f"{model.__name__}ListView", (StaffingListView,), {
            **attrs, "filterset_class": filterset, "title": title, "url_prefix": prefix, "sheet_class": sheet,
            # a street's clerk registers cadres at district courses they cannot open: the list links the batch page
            "above_table_template": "staffing/_attendance_batch_link.html" if model is Attendance else None,
        }),
        "detail": type(f"{model.__name__}DetailView", (DETAIL_VIEWS.get(model, StaffingDetailView),), attrs),
        "edit": type(f"{model.__name__}EditView", (StaffingEditView,), {
            **attrs, "form_class": form, "list_url": list_url,
            "create_service": getattr(services, f"{name}_create"),
            "update_service": getattr(services, f"{name}_update"),
        }),
        "delete": type(f"{model.__name__}DeleteView", (ObjectDeleteView,), {
            **attrs, "list_url": list_url, "delete_service": getattr(services, f"{name}_delete"),
        }),
    }
    if sheet is not None:
        views["import"] = type(f"{model.__name__}ImportView", (ObjectImportView,), {
            "sheet_class": sheet, "list_url": list_url, "title": sheet.upload_title,
        })
    return views


class AttendanceBatchView(LoginRequiredMixin, View):
    """批量登记: pick many cadres for one course. The cadres offered are those the user may edit,
    narrowed by the cadre list's own filters (street, community, search); those already
    registered at the chosen course are shown as such. Saving is all or nothing for refusals,
    and skips (and names) the cadres registered before (services.attendance_create_many)."""

    template_name = "staffing/attendance_batch.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_change_any(request.user):
            raise PermissionDenied(gettext("You have no part of the hierarchy to enter data in."))
        return super().dispatch(request, *args, **kwargs)

    def render_page(self, request, form, status=200):
        filterset = CadreFilterSet(request.GET or None, request=request,
                                   queryset=editable_cadres(request.user).order_by("community__code", "name", "id"))
        invalid = filterset.is_bound and not filterset.is_valid()
        page = paginate(request, filterset.queryset if invalid else filterset.qs, 100)
        page.object_list = present(request.user, page.object_list, channel="page")  # masked like the cadre list
        course = form.cleaned_data.get("course") if form.is_bound and hasattr(form, "cleaned_data") else None
        course_id = course.pk if course else form.initial.get("course")
        registered = set()
        if course_id:
            registered = set(Attendance.objects.filter(course_id=course_id, cadre__in=[c.pk for c in page.object_list])
                             .values_list("cadre_id", flat=True))
        checked = {str(v) for v in (form.data.getlist("cadres") if form.is_bound else [])}
        return render(request, self.template_name, {
            "form": form, "filterset": filterset, "page_obj": page, "registered": registered, "checked": checked,
            "querystring": querystring_without(request, "page"),
        }, status=400 if invalid and status == 200 else status)

    def get(self, request):
        course = request.GET.get("course", "")
        form = AttendanceBatchForm(user=request.user, initial={"course": int(course)} if course.isdigit() else {})
        return self.render_page(request, form)

    def post(self, request):
        form = AttendanceBatchForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                result = retry_once(services.attendance_create_many, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_validation_error(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                course = form.cleaned_data["course"]
                messages.success(request, gettext("Registered %(n)d cadres at %(course)s.") % {"n": len(result.created), "course": course})
                if result.already:
                    messages.warning(request, gettext("Already registered, not registered again: %(names)s.")
                                     % {"names": "、".join(c.name for c in result.already)})
                return HttpResponseRedirect(course.get_absolute_url())
        return self.render_page(request, form, status=400)
