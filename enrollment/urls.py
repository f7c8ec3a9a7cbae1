from django.urls import path, re_path

from enrollment.views import applicant, receipts, slots, staff

app_name = "enrollment"

urlpatterns = [
    path("admissions/", applicant.intake_list, name="intakes"),
    path("admissions/<slug:slug>/", applicant.intake_detail, name="intake"),
    path("admissions/<slug:slug>/apply/", applicant.apply, name="apply"),
    path("me/data.zip", applicant.my_data, name="my_data"),
    path("me/applications/<str:number>/", applicant.application_detail, name="application"),
    path("me/applications/<str:number>/step/<str:step>/", applicant.step, name="step"),
    re_path(
        r"^me/applications/(?P<number>[^/]+)/(?P<kind>education|experience)/(?P<pk>\d+)/delete/$",
        applicant.education_delete,
        name="education_delete",
    ),
    path("me/applications/<str:number>/submit/", applicant.submit, name="submit"),
    path("me/applications/<str:number>/withdraw/", applicant.withdraw, name="withdraw"),
    path(
        "me/applications/<str:number>/interview.ics",
        applicant.interview_calendar,
        name="interview_calendar",
    ),
    path("me/applications/<str:number>/receipt.pdf", receipts.mine, name="receipt"),
    path(
        "me/applications/<str:number>/documents/replace/",
        applicant.document_replace,
        name="document_replace",
    ),
    path(
        "me/applications/<str:number>/documents/<int:pk>/",
        applicant.document_download,
        name="document",
    ),
    path(
        "me/applications/<str:number>/documents/<int:pk>/delete/",
        applicant.document_delete,
        name="document_delete",
    ),
    re_path(
        r"^me/applications/(?P<number>[^/]+)/offer/(?P<answer>accept|decline)/$",
        applicant.offer_answer,
        name="offer_answer",
    ),
    path("me/applications/<str:number>/interview/book/", slots.slot_book, name="slot_book"),
    path("staff/admissions/", staff.application_list, name="staff_applications"),
    path("staff/admissions/bulk/", staff.bulk_action, name="staff_bulk"),
    path("staff/admissions/dashboard/", staff.dashboard, name="staff_dashboard"),
    path("staff/admissions/intakes/", staff.intake_admin_list, name="intakes_admin"),
    path("staff/admissions/cohorts/new/", staff.cohort_edit, name="cohort_add"),
    path("staff/admissions/cohorts/<int:pk>/", staff.cohort_edit, name="cohort_edit"),
    path("staff/admissions/intakes/new/", staff.intake_edit, name="intake_add"),
    path("staff/admissions/intakes/<int:pk>/", staff.intake_edit, name="intake_edit"),
    path(
        "staff/admissions/intakes/<int:pk>/documents/",
        staff.intake_requirements,
        name="intake_requirements",
    ),
    path(
        "staff/admissions/intakes/<int:pk>/documents/<int:requirement>/delete/",
        staff.requirement_delete,
        name="requirement_delete",
    ),
    path(
        "staff/admissions/intakes/<int:pk>/shortlist/",
        staff.intake_shortlist,
        name="intake_shortlist",
    ),
    path("staff/admissions/intakes/<int:pk>/slots/", slots.intake_slots, name="intake_slots"),
    path(
        "staff/admissions/intakes/<int:pk>/slots/<int:slot>/delete/",
        slots.slot_delete,
        name="slot_delete",
    ),
    path("staff/reviews/", staff.my_reviews, name="my_reviews"),
    path("staff/admissions/<str:number>/", staff.application_detail, name="staff_application"),
    path("staff/admissions/<str:number>/receipt.pdf", receipts.staff, name="staff_receipt"),
    path(
        "staff/admissions/<str:number>/documents/<int:pk>/",
        staff.document_download,
        name="staff_document",
    ),
    re_path(
        r"^staff/admissions/(?P<number>[^/]+)/(?P<action>document|eligibility|assign|review|shortlist|interview|mark|decide)/$",
        staff.application_action,
        name="staff_action",
    ),
]
