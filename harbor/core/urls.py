from django.urls import path

from harbor.core import pages

urlpatterns = [
    path("", pages.home, name="home"),
    path("jobs/", pages.job_list, name="job_list"),
    path("jobs/<int:job_id>/", pages.job_detail, name="job_detail"),
]
