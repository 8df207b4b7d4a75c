from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from communities.models import Level, Node
from core.forms import BootstrapFormMixin, PersonalFieldsFormMixin
from core.scope import Action
from regional_building.attachments import check_attachment
from regional_building.models import (
    Agreement,
    Claim,
    CommitteeMember,
    Commitment,
    ConferenceMember,
    Feedback,
    Fulfilment,
    JointConference,
    Meeting,
    MemberRegistration,
    ResidentUnit,
    ServicePost,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class NodeChoiceField(forms.ModelChoiceField):
    """Streets and communities labelled "街道 / 社区" so that a district's 148 communities stay
    readable in one dropdown."""

    def label_from_instance(self, obj):
        if obj.level == Level.COMMUNITY and obj.parent_id:
            return f"{obj.parent.name} / {obj.name}"
        return obj.name


def node_queryset(user, levels):
    return Node.objects.restrict(user, Action.CHANGE).filter(level__in=levels).select_related("parent").order_by("code")


# Per model: which node levels its node field takes, and which related models are parents
# (need the change scope) rather than references (the view scope suffices).
NODE_LEVELS = {
    "residentunit": (Level.TOWNSHIP, Level.COMMUNITY),
    "jointconference": (Level.COUNTY, Level.TOWNSHIP, Level.COMMUNITY),
    "agreement": (Level.TOWNSHIP, Level.COMMUNITY),
    "memberregistration": (Level.COMMUNITY,),
    "servicepost": (Level.COMMUNITY,),
}
# Relations to a parent record need the change scope; references (a unit, a member) only the view.
PARENT_FIELDS = {"conference", "agreement", "commitment", "post", "registration"}


def scope_related_fields(fields, model_name, user):
    """Narrow every relation field of a form or serializer to records the user may use."""
    for name, field in fields.items():
        target = field.child_relation if hasattr(field, "child_relation") else field
        queryset = getattr(target, "queryset", None)
        if queryset is None:
            continue
        related = queryset.model
        if related is Node:
            target.queryset = node_queryset(user, NODE_LEVELS.get(model_name, (Level.TOWNSHIP, Level.COMMUNITY)))
        elif hasattr(related, "scope_path"):
            action = Action.CHANGE if name in PARENT_FIELDS else Action.VIEW
            target.queryset = related.objects.restrict(user, action)


class ScopedModelForm(PersonalFieldsFormMixin, BootstrapFormMixin, forms.ModelForm):
    """A form whose relation dropdowns list only records in the user's scope, and whose
    personal fields (phones) are masked for users who may not see them."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        model_name = self._meta.model._meta.model_name
        for name, field in self.fields.items():
            if isinstance(field, forms.ModelChoiceField) and field.queryset.model is Node:
                self.fields[name] = NodeChoiceField(
                    queryset=field.queryset, label=field.label, required=field.required, help_text=field.help_text
                )
        scope_related_fields(self.fields, model_name, user)
        for name, field in self.fields.items():
            if isinstance(field, forms.DateField):
                field.widget = DATE
                field.widget.attrs["class"] = "form-control"
        self.mask_personal_fields(user)


class ResidentUnitForm(ScopedModelForm):
    class Meta:
        model = ResidentUnit
        fields = ["name", "kind", "credit_code", "node", "party_org_form", "party_member_count", "contact_person",
                  "contact_phone", "address"]


class JointConferenceForm(ScopedModelForm):
    class Meta:
        model = JointConference
        fields = ["name", "level", "node", "established_on", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class ConferenceMemberForm(ScopedModelForm):
    class Meta:
        model = ConferenceMember
        fields = ["conference", "unit", "role", "term_start", "term_end"]


class CommitteeMemberForm(ScopedModelForm):
    class Meta:
        model = CommitteeMember
        fields = ["conference", "person_name", "unit", "post", "unit_post", "term_start", "term_end"]


class MinutesInput(forms.ClearableFileInput):
    """Shows the stored minutes by their original name, never by a (public) media URL."""

    template_name = "regional_building/widgets/minutes_input.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["stored_name"] = getattr(self, "stored_name", "")
        return context


class MeetingForm(ScopedModelForm):
    class Meta:
        model = Meeting
        fields = ["conference", "held_on", "topics", "resolutions", "attendees", "minutes"]
        widgets = {
            "topics": forms.Textarea(attrs={"rows": 3}),
            "resolutions": forms.Textarea(attrs={"rows": 3}),
            "attendees": forms.CheckboxSelectMultiple,
            "minutes": MinutesInput,
        }
        help_texts = {"minutes": _("PDF, Word (.docx), JPG or PNG, at most 10 MB.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].widget.attrs["class"] = "form-check-input"
        self.fields["attendees"].help_text = _("Only member units of the conference can be recorded as present.")
        self.fields["minutes"].widget.attrs["accept"] = ".pdf,.docx,.jpg,.jpeg,.png"
        self.fields["minutes"].widget.stored_name = self.instance.minutes_name

    def clean_minutes(self):
        value = self.cleaned_data.get("minutes")
        if value is False:
            return False
        if isinstance(value, UploadedFile):
            from django.core.exceptions import ValidationError

            try:
                check_attachment(value)
            except ValidationError as exc:
                raise forms.ValidationError(exc.message_dict["minutes"])
            return value
        return None  # unchanged


class AgreementForm(ScopedModelForm):
    class Meta:
        model = Agreement
        fields = ["title", "node", "unit", "signed_on", "valid_from", "valid_until", "terminated_on",
                  "termination_reason", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class CommitmentForm(ScopedModelForm):
    class Meta:
        model = Commitment
        fields = ["agreement", "category", "description", "due_on"]


class FulfilmentForm(ScopedModelForm):
    class Meta:
        model = Fulfilment
        fields = ["commitment", "done_on", "what_was_done", "evidence"]
        widgets = {"what_was_done": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commitment"].queryset = self.fields["commitment"].queryset.select_related("agreement")
        self.fields["commitment"].label_from_instance = lambda c: f"{c.agreement.title} · {c}"


class MemberRegistrationForm(ScopedModelForm):
    class Meta:
        model = MemberRegistration
        fields = ["name", "phone", "work_unit", "work_unit_name", "community", "registered_on", "status",
                  "revoked_on", "revoke_reason"]


class ServicePostForm(ScopedModelForm):
    class Meta:
        model = ServicePost
        fields = ["community", "title", "category", "capacity", "offered_on", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class ClaimForm(ScopedModelForm):
    class Meta:
        model = Claim
        fields = ["post", "member", "unit", "claimed_on", "hours", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = self.fields["post"].queryset.select_related("community")
        self.fields["post"].label_from_instance = lambda p: f"{p.community.name} · {p.title}"


class FeedbackForm(ScopedModelForm):
    class Meta:
        model = Feedback
        fields = ["registration", "year", "quarter", "assessment", "sent_on"]
        widgets = {"assessment": forms.Textarea(attrs={"rows": 3})}
