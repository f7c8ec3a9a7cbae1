from django.contrib import admin

from curriculum.models import (
    DiplomaAuthority,
    Module,
    ModuleLecturer,
    ModulePartner,
    Programme,
    Semester,
    TeachingUnit,
)


@admin.register(DiplomaAuthority)
class DiplomaAuthorityAdmin(admin.ModelAdmin[DiplomaAuthority]):
    list_display = ("issuer_fr", "diploma_title_fr")


class SemesterInline(admin.TabularInline[Semester, Programme]):
    model = Semester
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin[Programme]):
    list_display = ("code", "title_fr", "semester_count", "ruleset_name")
    inlines = (SemesterInline,)


@admin.register(TeachingUnit)
class TeachingUnitAdmin(admin.ModelAdmin[TeachingUnit]):
    list_display = ("code", "kind", "semester", "credits", "coefficient")
    list_filter = ("kind", "semester__number")
    search_fields = ("code", "title_fr")


class ModuleLecturerInline(admin.TabularInline[ModuleLecturer, Module]):
    model = ModuleLecturer
    extra = 0
    autocomplete_fields = ("lecturer",)


class ModulePartnerInline(admin.TabularInline[ModulePartner, Module]):
    model = ModulePartner
    extra = 0


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin[Module]):
    list_display = ("code", "title_fr", "unit", "credits", "coefficient", "w_cc", "w_exam")
    list_filter = ("unit__semester__number", "unit__kind")
    search_fields = ("code", "title_fr", "title_en")
    inlines = (ModuleLecturerInline, ModulePartnerInline)
