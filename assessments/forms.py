import json

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.models import Indicator, Scheme
from assessments.rules import FACT_NAMES, rule_choices
from communities.models import Level, Node
from core.forms import BootstrapFormMixin
from core.scope import Action


class SchemeCreateForm(BootstrapFormMixin, forms.Form):
    district = forms.ModelChoiceField(label=_("district"), queryset=Node.objects.none())
    year = forms.IntegerField(label=_("assessment year"), min_value=2000, max_value=2100)
    source = forms.ModelChoiceField(
        label=_("start from"), queryset=Scheme.objects.none(), required=False,
        empty_label=_("the shipped default scheme"),
    )
    name = forms.CharField(label=_("scheme name"), max_length=100, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = (
            Node.objects.restrict(user, Action.REVIEW).filter(level=Level.COUNTY).order_by("code")
            if not user.is_superuser else Node.objects.filter(level=Level.COUNTY).order_by("code")
        )
        self.fields["source"].queryset = Scheme.objects.visible_to(user).select_related("district")


class CopyForm(BootstrapFormMixin, forms.Form):
    """复制到新年度: the scheme and its indicators for another year of the same district."""

    year = forms.IntegerField(label=_("new year"), min_value=2000, max_value=2100)
    name = forms.CharField(label=_("scheme name"), max_length=100, required=False,
                           help_text=_("Leave blank to keep this scheme's name."))


class ThresholdForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Scheme
        fields = ["name", "excellent_from", "good_from", "pass_from"]


class IndicatorForm(BootstrapFormMixin, forms.ModelForm):
    rule = forms.ChoiceField(label=_("rule"), required=False)
    params = forms.CharField(
        label=_("rule parameters"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("JSON, e.g. {\"fact\": \"staffing.party_workers\", \"min\": 1}. Facts: %(facts)s")
        % {"facts": "、".join(FACT_NAMES)},
    )

    class Meta:
        model = Indicator
        fields = ["parent", "position", "name", "weight", "method", "scored_by", "rule", "params", "description"]

    def __init__(self, *args, user=None, scheme=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", "—")] + rule_choices()
        scheme = scheme or self.instance.scheme
        if self.instance.pk is None:
            self.instance.scheme = scheme  # so that the model's own checks run on the form
        qs = scheme.indicators.filter(parent__isnull=True)
        if self.instance.pk:
            qs = qs.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = qs
        if self.instance.pk and not self.is_bound:
            self.initial["params"] = json.dumps(self.instance.params, ensure_ascii=False)

    def clean_params(self):
        raw = (self.cleaned_data.get("params") or "").strip()
        if not raw:
            return {}
        try:
            value = json.loads(raw)
        except ValueError:
            raise forms.ValidationError(_("Rule parameters must be valid JSON.")) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Rule parameters must be a JSON object."))
        return value


class TransitionForm(BootstrapFormMixin, forms.Form):
    action = forms.ChoiceField(choices=[("submit", "submit"), ("approve", "approve"), ("return", "return"), ("reopen", "reopen")],
                               widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(label=_("comment or reason"), max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))


class AdjustForm(BootstrapFormMixin, forms.Form):
    score = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    final = forms.DecimalField(label=_("final score"), max_digits=6, decimal_places=2, min_value=0)
    reason = forms.CharField(label=_("reason for adjustment"), max_length=300)
