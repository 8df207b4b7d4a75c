from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from regional_building import models as m


@admin.register(m.ResidentUnit)
class ResidentUnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "credit_code", "node"]
    list_filter = ["kind"]
    search_fields = ["name", "credit_code"]
    raw_id_fields = ["node"]
    list_select_related = ["node"]


@admin.register(m.Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = ["title", "node", "unit", "signed_on", "valid_until", "terminated_on"]
    search_fields = ["title"]
    raw_id_fields = ["node", "unit"]
    list_select_related = ["node", "unit"]


for model in (m.JointConference, m.ConferenceMember, m.CommitteeMember, m.Meeting, m.Commitment, m.Fulfilment,
              m.MemberRegistration, m.ServicePost, m.Claim, m.Feedback):
    admin.site.register(model, SimpleHistoryAdmin)
