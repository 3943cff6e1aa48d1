from django.urls import path

from harbor.directory import views

app_name = "directory"

# ``-`` is never an organisation slug, so ``directory/-/…`` cannot collide with one.
urlpatterns = [
    path("directory/", views.organisation_list, name="organisation_list"),
    path("directory/-/new/", views.organisation_create, name="organisation_create"),
    path("directory/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("directory/<slug:slug>/edit/", views.organisation_edit, name="organisation_edit"),
    path(
        "directory/<slug:slug>/verification/request/",
        views.request_verification,
        name="request_verification",
    ),
    path("directory/<slug:slug>/verification/", views.set_verification, name="set_verification"),
    path("directory/<slug:slug>/members/", views.members, name="members"),
    path("directory/<slug:slug>/members/invite/", views.invite_member, name="invite_member"),
    path(
        "directory/<slug:slug>/members/<int:member_id>/role/",
        views.change_member_role,
        name="change_member_role",
    ),
    path(
        "directory/<slug:slug>/members/<int:member_id>/remove/",
        views.remove_member,
        name="remove_member",
    ),
    path(
        "directory/<slug:slug>/invitations/<int:invitation_id>/revoke/",
        views.revoke_invitation,
        name="revoke_invitation",
    ),
    path("invitations/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("account/organisation/", views.switch_organisation, name="switch_organisation"),
    path("account/tokens/", views.tokens, name="tokens"),
    path("account/tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke_token"),
]
