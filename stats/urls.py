"""Statistics pages: dashboards per node, tables as .xlsx, monthly returns, fund statements."""

from django.urls import path

from stats import views

app_name = "stats"
NODE = "nodes/<uuid:organisation_id>/"
FUND = "fund/<uuid:plan_id>/<int:year>/"
RETURN = "returns/<uuid:return_id>/"

urlpatterns = [
    path("", views.index, name="index"),
    path(NODE, views.dashboard, name="dashboard"),
    path(NODE + "claims/", views.claims, name="claims"),
    path(NODE + "coverage/", views.coverage, name="coverage"),
    path(NODE + "blank-spots/", views.blank_spots, name="blank_spots"),
    path(NODE + "blank-spots.xlsx", views.blank_spots_xlsx, name="blank_spots_xlsx"),
    path(NODE + "tables/<slug:table>.xlsx", views.table_xlsx, name="table_xlsx"),
    path("refresh/", views.refresh, name="refresh"),
    path("fund/", views.fund_list, name="fund_list"),
    path(FUND, views.fund_statement, name="fund_statement"),
    path(FUND + "pdf", views.fund_statement_pdf, name="fund_statement_pdf"),
    path(FUND + "xlsx", views.fund_statement_xlsx, name="fund_statement_xlsx"),
    path("returns/", views.return_list, name="return_list"),
    path("returns/prepare/", views.return_prepare, name="return_prepare"),
    path("returns/settings/", views.return_settings, name="return_settings"),
    path(RETURN, views.return_detail, name="return_detail"),
    path(RETURN + "xlsx", views.return_xlsx, name="return_xlsx"),
    path(RETURN + "refill/", views.return_refill, name="return_refill"),
    path(RETURN + "submit/", views.return_submit, name="return_submit"),
    path(RETURN + "accept/", views.return_accept, name="return_accept"),
    path(RETURN + "send-back/", views.return_send_back, name="return_send_back"),
]
