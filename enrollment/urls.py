from django.urls import path, re_path

from enrollment.views import applicant, staff, studies

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
    path("staff/reviews/", staff.my_reviews, name="my_reviews"),
    path("staff/cohorts/", studies.cohort_list, name="cohorts"),
    path("staff/cohorts/<slug:slug>/", studies.cohort_detail, name="cohort"),
    path("staff/cohorts/<slug:slug>/offerings/", studies.offerings_open, name="offerings_open"),
    path("staff/cohorts/<slug:slug>/results/", studies.cohort_results, name="cohort_results"),
    path("staff/cohorts/<slug:slug>/internships/", studies.internship_list, name="internships"),
    path(
        "staff/cohorts/<slug:slug>/internships/<int:pk>/",
        studies.internship_edit,
        name="internship",
    ),
    path("thesis/<str:token>/", studies.thesis_link, name="thesis_link"),
    path("staff/cohorts/<slug:slug>/students/new/", studies.student_add, name="student_add"),
    path(
        "staff/cohorts/<slug:slug>/students/import/", studies.student_import, name="student_import"
    ),
    path(
        "staff/cohorts/<slug:slug>/students/<int:pk>/status/",
        studies.student_status,
        name="student_status",
    ),
    re_path(
        r"^staff/cohorts/(?P<slug>[-\w]+)/juries/(?P<semester>\d+)/(?P<session>[NR])/$",
        studies.jury_detail,
        name="jury",
    ),
    re_path(
        r"^staff/cohorts/(?P<slug>[-\w]+)/juries/(?P<semester>\d+)/(?P<session>[NR])/(?P<action>close|publish|reopen)/$",
        studies.jury_action,
        name="jury_action",
    ),
    path("staff/grades/", studies.my_sheets, name="my_sheets"),
    path("staff/offerings/<int:pk>/sessions/", studies.offering_sessions, name="offering_sessions"),
    path("staff/sessions/<int:pk>/attendance/", studies.session_attendance, name="attendance"),
    path("calendar/<str:token>.ics", studies.calendar_feed, name="calendar"),
    path("me/calendar/", studies.calendar_feed_change, name="calendar_change"),
    path("staff/grades/<int:pk>/", studies.sheet_detail, name="sheet"),
    re_path(
        r"^staff/grades/(?P<pk>\d+)/export\.(?P<fmt>csv|xlsx)$",
        studies.sheet_export,
        name="sheet_export",
    ),
    path("me/programme/", studies.my_programme, name="my_programme"),
    path("staff/admissions/<str:number>/", staff.application_detail, name="staff_application"),
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
