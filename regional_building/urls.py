from django.urls import path

from regional_building import views

app_name = "regional_building"

SEGMENTS = {
    "residentunit": "units",
    "jointconference": "conferences",
    "conferencemember": "conference-members",
    "committeemember": "committee-members",
    "meeting": "meetings",
    "agreement": "agreements",
    "commitment": "commitments",
    "fulfilment": "fulfilments",
    "memberregistration": "members",
    "servicepost": "posts",
    "claim": "claims",
    "feedback": "feedback",
}

urlpatterns = [
    path("regional/meetings/<int:pk>/minutes/", views.MeetingMinutesView.as_view(), name="meeting_minutes"),
]
for name, segment in SEGMENTS.items():
    v = views.views[name]
    base = f"regional/{segment}/"
    urlpatterns += [
        path(base, v["list"].as_view(), name=f"{name}_list"),
        path(f"{base}add/", v["edit"].as_view(), name=f"{name}_add"),
        path(f"{base}<int:pk>/", v["detail"].as_view(), name=f"{name}_detail"),
        path(f"{base}<int:pk>/edit/", v["edit"].as_view(), name=f"{name}_edit"),
        path(f"{base}<int:pk>/delete/", v["delete"].as_view(), name=f"{name}_delete"),
    ]
    if "import" in v:
        urlpatterns.append(path(f"{base}import/", v["import"].as_view(), name=f"{name}_import"))
