from django.contrib import admin

from partners.models import Agreement, Contact, Organisation


class ContactInline(admin.TabularInline[Contact, Organisation]):
    model = Contact
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ("name_fr", "acronym", "kind", "sector", "wilaya")
    list_filter = ("kind", "sector")
    search_fields = ("name_fr", "name_ar", "name_en", "acronym")
    prepopulated_fields = {"slug": ("acronym",)}
    inlines = (ContactInline,)


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin[Agreement]):
    list_display = ("title", "signed_on", "valid_from", "valid_until")
    search_fields = ("title",)
    filter_horizontal = ("parties",)
    readonly_fields = ("expiry_notified_at",)
