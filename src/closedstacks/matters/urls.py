"""The procedure's pages. The scope each needs is declared here; which matters a person may open is
decided per matter (Matter.objects.visible_to)."""

from django.urls import path

from closedstacks.access.scopes import scope
from closedstacks.matters.views import counts, desk, holds, matter, productions, queues

app_name = "matters"

urlpatterns = [
    path("inquiries/new/", scope("inquiry:create", desk.log), name="log"),
    path("inquiries/<str:reference>/receipt/", scope("inquiry:create", desk.receipt), name="receipt"),
    path("inquiries/<str:reference>/report/", scope("inquiry:create", desk.report_it), name="report-it"),
    path("reports/<int:pk>/open-matter/", scope("incident:manage", desk.from_report), name="from-report"),
    path("matters/", scope("matter:read", queues.matter_queue), name="queues"),
    path("matters/queue/<slug:name>/", scope("matter:read", queues.matter_queue), name="queue"),
    path("matters/deadlines/", scope("deadline:read", queues.deadlines), name="deadlines"),
    path("matters/<str:reference>/", scope("matter:read", matter.detail), name="detail"),
    path("matters/<str:reference>/act/<slug:action>/", scope("matter:read", matter.act), name="act"),
    path("matters/<str:reference>/documents/<int:file_id>/", scope("matter:read", matter.document),
         name="document"),
    path("matters/<str:reference>/documents/<int:file_id>/pages/<int:page>.png",
         scope("matter:read", matter.document_page), name="document-page"),
    path("matters/<str:reference>/reviews/<int:review_id>/", scope("matter:read", matter.review), name="review"),
    path("matters/<str:reference>/letters/<slug:kind>.pdf", scope("matter:read", matter.letter), name="letter"),
    path("matters/<str:reference>/letters/language/", scope("matter:read", matter.letter_language),
         name="letter-language"),
    path("matters/<str:reference>/notes/", scope("matter:read", matter.add_note), name="add-note"),
    path("matters/<str:reference>/verifications/", scope("matter:read", matter.verify), name="verify"),
    path("matters/<str:reference>/verifications/<int:verification_id>/report/",
         scope("matter:read", matter.report_mismatch), name="report-mismatch"),
    path("matters/<str:reference>/documents/new/", scope("matter:read", matter.add_document), name="add-document"),
    path("matters/<str:reference>/deadlines/<int:deadline_id>/extend/", scope("matter:read", matter.extend_deadline),
         name="extend-deadline"),
    path("matters/<str:reference>/counts/", scope("matter:read", counts.counts), name="counts"),
    path("holds/", scope("hold:read", holds.holds), name="holds"),
]

# A production: its page and downloads, for the people on the matter (everyone else: 404).
PRODUCTION = "matters/<str:reference>/productions/<int:number>/"
urlpatterns += [
    path(PRODUCTION, scope("matter:read", productions.detail), name="production"),
    path(PRODUCTION + "files/<str:name>", scope("matter:read", productions.file), name="production-file"),
    path(PRODUCTION + "package.zip", scope("matter:read", productions.package), name="production-package"),
    path(PRODUCTION + "record.pdf", scope("matter:read", productions.record_pdf), name="production-record"),
]
