from django.urls import path

from harbor.directory import views

app_name = "directory"

urlpatterns = [
    path("invitations/<str:token>/", views.accept_invitation, name="accept_invitation"),
]
