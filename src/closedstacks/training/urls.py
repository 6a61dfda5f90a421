from django.urls import path

from closedstacks.access.scopes import scope
from closedstacks.training import views

app_name = "training"

urlpatterns = [
    path("training/", scope("training:take", views.mine), name="mine"),
    path("training/<int:pk>/", scope("training:take", views.module), name="module"),
    path("training/compliance/", scope("training:compliance", views.compliance_page), name="compliance"),
    path("training/compliance.csv", scope("training:compliance", views.compliance_csv), name="compliance-csv"),
    path("training/modules/", scope("training:manage", views.modules), name="modules"),
    path("training/modules/new/", scope("training:manage", views.module_new), name="module-new"),
    path("training/modules/<int:pk>/", scope("training:manage", views.module_edit), name="module-edit"),
    path("training/modules/<int:pk>/new-version/", scope("training:manage", views.version_new),
         name="version-new"),
]
