from django.urls import path

from harbor.language import views

app_name = "language"

urlpatterns = [
    path("language/glossary/", views.glossary, name="glossary"),
]
