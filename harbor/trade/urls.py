from django.urls import path

from harbor.trade import views

app_name = "trade"

urlpatterns = [
    path("trade/", views.home, name="home"),
    path("trade/hs/", views.hs_browser, name="hs_browser"),
    path("trade/hs/<str:code>/", views.hs_detail, name="hs_detail"),
    path("trade/tariffs/", views.tariffs, name="tariffs"),
    path("trade/origin/", views.origin, name="origin"),
    path("trade/origin/material/", views.origin_material, name="origin_material"),
    path("trade/origin/worksheet/", views.origin_worksheet, name="origin_worksheet"),
    path("trade/origin/worksheet.json", views.origin_worksheet_json, name="origin_worksheet_json"),
    path("trade/landed-cost/", views.landed_cost, name="landed_cost"),
    path("trade/form-e/", views.form_e_check, name="form_e"),
]
