from django.urls import path

from harbor.core import pages

urlpatterns = [
    path("", pages.home, name="home"),
    path("jobs/", pages.job_list, name="job_list"),
    path("jobs/start/", pages.job_start, name="job_start"),
    path("jobs/<int:job_id>/", pages.job_detail, name="job_detail"),
]
