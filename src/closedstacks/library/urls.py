from django.urls import path

from closedstacks.access.scopes import SIGNED_IN, scope
from closedstacks.library import views

app_name = "library"

urlpatterns = [
    path("library/", scope("library:manage", views.profile), name="profile"),
    path("library/logo/", scope("library:manage", views.logo), name="logo"),
    path("policy/", scope(SIGNED_IN, views.policy), name="policy"),
    path("policy/versions/<int:number>/", scope(SIGNED_IN, views.policy), name="policy-version"),
    path("policy/policy.pdf", scope(SIGNED_IN, views.policy_pdf), name="policy-pdf"),
    path("policy/new-version/", scope("policy:manage", views.policy_edit), name="policy-edit"),
    path("checklists/", scope("checklist:manage", views.checklists), name="checklists"),
    path("checklists/new/", scope("checklist:manage", views.checklist_item), name="checklist-new"),
    path("checklists/<int:pk>/", scope("checklist:manage", views.checklist_item), name="checklist-item"),
    path("library/contacts/", scope("contacts:manage", views.contacts), name="contacts"),
    path("library/contacts/new/", scope("contacts:manage", views.setting), {"kind": "contact"}, name="contact-new"),
    path("library/contacts/<int:pk>/", scope("contacts:manage", views.setting), {"kind": "contact"},
         name="contact"),
    path("library/directory/", scope("directory:manage", views.directory), name="directory"),
    path("library/directory/new/", scope("directory:manage", views.setting), {"kind": "authority"},
         name="authority-new"),
    path("library/directory/<int:pk>/", scope("directory:manage", views.setting), {"kind": "authority"},
         name="authority"),
    path("library/branches/", scope("library:manage", views.branches), name="branches"),
    path("library/branches/new/", scope("library:manage", views.setting), {"kind": "branch"}, name="branch-new"),
    path("library/branches/<int:pk>/", scope("library:manage", views.setting), {"kind": "branch"}, name="branch"),
    path("library/service-points/new/", scope("library:manage", views.setting), {"kind": "service-point"},
         name="service-point-new"),
    path("library/service-points/<int:pk>/", scope("library:manage", views.setting), {"kind": "service-point"},
         name="service-point"),
    path("desk-cards/", scope("inquiry:create", views.desk_cards), name="desk-cards"),
    path("desk-cards/general.pdf", scope("inquiry:create", views.desk_card_pdf), name="desk-card-general"),
    path("desk-cards/<int:pk>.pdf", scope("inquiry:create", views.desk_card_pdf), name="desk-card"),
]
