from django.urls import path

from harbor.sharing import feeds, views

app_name = "sharing"

urlpatterns = [
    path("feeds/<str:token>.atom", feeds.subscription_feed, name="subscription_feed"),
    path("records/", views.record_list, name="record_list"),
    path("records/mine/", views.my_records, name="my_records"),
    path("records/new/", views.record_create, name="record_create"),
    path("records/new/language/", views.language_fieldset, name="language_fieldset"),
    path("records/<int:record_id>/", views.record_detail, name="record_detail"),
    path("records/<int:record_id>/edit/", views.record_edit, name="record_edit"),
    path("records/<int:record_id>/publish/", views.record_publish, name="record_publish"),
    path("records/<int:record_id>/withdraw/", views.record_withdraw, name="record_withdraw"),
    path("records/<int:record_id>/compare/", views.record_compare, name="record_compare"),
    path(
        "records/<int:record_id>/translation/",
        views.translation_correct,
        name="translation_correct",
    ),
    path("records/<int:record_id>/attachments/", views.attachment_add, name="attachment_add"),
    path("search/", views.search, name="search"),
    path("subscriptions/", views.subscription_list, name="subscription_list"),
    path(
        "subscriptions/<int:subscription_id>/delete/",
        views.subscription_delete,
        name="subscription_delete",
    ),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:item_id>/read/", views.inbox_mark_read, name="inbox_mark_read"),
]
