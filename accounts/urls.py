from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("me/", views.ProfileView.as_view(), name="profile"),
    path("me/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("me/otp/", views.OtpSetupView.as_view(), name="otp_setup"),
    path("me/otp/qr.svg", views.OtpQrView.as_view(), name="otp_qr"),
    path("me/otp/verify/", views.OtpVerifyView.as_view(), name="otp_verify"),
    path("system/accounts/", views.AccountListView.as_view(), name="user_list"),
    path("system/accounts/add/", views.AccountEditView.as_view(), name="user_add"),
    path("system/accounts/import/", views.AccountImportView.as_view(), name="user_import"),
    path("system/accounts/<int:pk>/", views.AccountDetailView.as_view(), name="user_detail"),
    path("system/accounts/<int:pk>/edit/", views.AccountEditView.as_view(), name="user_edit"),
    path("system/accounts/<int:pk>/<str:action>/", views.AccountActionView.as_view(), name="user_action"),
    path("system/accounts/<int:pk>/revoke/<int:assignment_pk>/", views.AccountActionView.as_view(),
         {"action": "revoke"}, name="role_revoke"),
    path("system/divisions/", views.DivisionImportView.as_view(), name="division_import"),
    path("system/divisions/<int:pk>/", views.DivisionPreviewView.as_view(), name="division_preview"),
    path("system/divisions/merge/", views.CommunityMergeView.as_view(), name="community_merge"),
    path("system/hierarchy/split/", views.CommunitySplitView.as_view(), name="community_split"),
    path("system/hierarchy/", views.DivisionListView.as_view(), name="division_list"),
    path("system/hierarchy/add/", views.DivisionEditView.as_view(), name="division_add"),
    path("system/hierarchy/<int:pk>/edit/", views.DivisionEditView.as_view(), name="division_edit"),
    path("system/logins/", views.LoginListView.as_view(), name="login_list"),
    path("system/sessions/", views.SessionListView.as_view(), name="session_list"),
    path("system/sessions/<int:pk>/logout/", views.SessionLogoutView.as_view(), name="session_logout"),
    path("system/security/", views.SecurityView.as_view(), name="security"),
    path("system/log/", views.EventListView.as_view(), name="event_list"),
]
