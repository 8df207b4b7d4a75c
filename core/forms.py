from django import forms


class BootstrapFormMixin:
    """Bootstrap classes on every widget, and ``is-invalid`` on fields with errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class CommunityChoiceField(forms.ModelChoiceField):
    """Communities labelled "街道 / 社区", so that a district's ~150 stay findable in one
    dropdown. Give it a queryset with ``select_related("parent")``."""

    def label_from_instance(self, obj):
        return f"{obj.parent.name} / {obj.name}" if obj.parent_id else obj.name


class NodeChoiceField(forms.ModelChoiceField):
    """Nodes of any level, indented by level and labelled with it ("　　酒泉路街道（街道）"), for
    a choice among a user's streets, districts and cities. Give it a queryset ordered by code."""

    def label_from_instance(self, obj):
        indent = "　" * max(obj.level - 1, 0)
        return f"{indent}{obj.name}（{obj.get_level_display()}）"
