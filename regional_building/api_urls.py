from rest_framework.routers import DefaultRouter

from regional_building import api

app_name = "regional_building-api"
router = DefaultRouter()
for prefix, viewset, basename in [
    ("resident-units", api.ResidentUnitViewSet, "residentunit"),
    ("joint-conferences", api.JointConferenceViewSet, "jointconference"),
    ("conference-members", api.ConferenceMemberViewSet, "conferencemember"),
    ("committee-members", api.CommitteeMemberViewSet, "committeemember"),
    ("meetings", api.MeetingViewSet, "meeting"),
    ("agreements", api.AgreementViewSet, "agreement"),
    ("commitments", api.CommitmentViewSet, "commitment"),
    ("fulfilments", api.FulfilmentViewSet, "fulfilment"),
    ("member-registrations", api.MemberRegistrationViewSet, "memberregistration"),
    ("service-posts", api.ServicePostViewSet, "servicepost"),
    ("claims", api.ClaimViewSet, "claim"),
    ("feedback", api.FeedbackViewSet, "feedback"),
    ("figures", api.FiguresViewSet, "figures"),
]:
    router.register(prefix, viewset, basename=basename)
urlpatterns = router.urls
