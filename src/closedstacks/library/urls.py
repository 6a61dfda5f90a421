from django.urls import path

from closedstacks.access.scopes import SIGNED_IN, scope
from closedstacks.library import views

app_name = "library"

urlpatterns = [
    path("library/", scope("library:manage", views.profile), name="profile"),
    path("policy/", scope(SIGNED_IN, views.policy), name="policy"),
    path("policy/policy.pdf", scope(SIGNED_IN, views.policy_pdf), name="policy-pdf"),
    path("policy/new-version/", scope("policy:manage", views.policy_edit), name="policy-edit"),
    path("checklists/", scope("checklist:manage", views.checklists), name="checklists"),
    path("checklists/new/", scope("checklist:manage", views.checklist_item), name="checklist-new"),
    path("checklists/<int:pk>/", scope("checklist:manage", views.checklist_item), name="checklist-item"),
]
