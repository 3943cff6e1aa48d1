from django.urls import path

from harbor.sharing import feeds

app_name = "sharing"

urlpatterns = [
    path("feeds/<str:token>.atom", feeds.subscription_feed, name="subscription_feed"),
]
