from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from curriculum.models import Module, ModuleLecturer, TeachingUnit
from tests.factories.partners import AgreementFactory, OrganisationFactory
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(make_user) -> Client:
    return logged_in(make_user("coordinator"))


def test_the_public_programme_shows_semesters_units_modules_hours_and_partners(client, programme):
    html = client.get(reverse("curriculum:programme", args=["mcrt"])).content.decode()
    assert "Semestre 1" in html
    assert "UEF1.1" in html
    assert "Économie géographique, clusters et systèmes productifs locaux" in html
    assert "3/1,5/0" in html  # French decimal comma
    assert 'href="/partners/c-mec/"' in html


def test_the_programme_in_arabic_is_right_to_left_with_arabic_titles(client, programme):
    module = Module.objects.get(code="F1.1.1")
    html = client.get(
        reverse("curriculum:programme_default"), headers={"accept-language": "ar"}
    ).content.decode()
    assert 'dir="rtl"' in html
    assert module.title_ar in html
    assert "السداسي 1" in html


def test_a_title_missing_in_english_falls_back_to_french(client, programme):
    Module.objects.filter(code="F1.1.1").update(title_en="")
    html = client.get(
        reverse("curriculum:module", args=["mcrt", "F1.1.1"]), headers={"accept-language": "en"}
    ).content.decode()
    assert "Économie géographique" in html


def test_the_programme_page_query_count_does_not_grow_with_the_curriculum(
    client, programme, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        client.get(reverse("curriculum:programme", args=["mcrt"]))


def test_the_module_page_shows_hours_credits_weighting_and_partners(client, programme):
    html = client.get(reverse("curriculum:module", args=["mcrt", "F2.2.1"])).content.decode()
    assert "Management de l&#x27;innovation" in html or "Management de l'innovation" in html
    assert "1,5 h/semaine" in html or "1.5 h/semaine" in html
    assert "École nationale polytechnique" in html


def test_an_unknown_module_or_programme_is_a_404(client, programme):
    assert client.get(reverse("curriculum:module", args=["mcrt", "Z9.9.9"])).status_code == 404
    assert client.get(reverse("curriculum:programme", args=["nothing"])).status_code == 404


def test_the_partner_directory_filters_by_kind_and_sector_and_searches_by_name(client, programme):
    url = reverse("curriculum:partners")
    clusters = client.get(url, {"kind": "cluster"}).content.decode()
    assert "Algerian Digital Cluster" in clusters
    assert "École nationale polytechnique" not in clusters
    agro = client.get(url, {"sector": "agro_food"}).content.decode()
    assert "Cluster agroalimentaire" in agro
    assert "Algerian Digital Cluster" not in agro
    found = client.get(url, {"q": "polytech"}).content.decode()
    assert "École nationale polytechnique" in found
    assert "Cluster agroalimentaire" not in found
    assert client.get(url, {"kind": "not-a-kind"}).status_code == 200


def test_the_partner_page_shows_what_it_co_teaches_and_only_agreements_in_force(client, programme):
    enp = OrganisationFactory._meta.model.objects.get(slug="enp")
    AgreementFactory.create(
        title="Convention brouillon", signed_on=None, parties=[enp, OrganisationFactory.create()]
    )
    html = client.get(reverse("curriculum:partner", args=["enp"])).content.decode()
    assert "F2.2.1" in html
    assert "Convention ENP – Cluster mécanique de précision" in html
    assert "Convention brouillon" not in html


def test_a_lecturer_sees_the_modules_they_teach(programme):
    lecturer = ModuleLecturer.objects.select_related("lecturer").get(module__code="F1.1.1").lecturer
    client = logged_in(lecturer)
    html = client.get(reverse("curriculum:my_modules")).content.decode()
    assert "F1.1.1" in html
    assert "F2.1.1" in html
    assert "F3.1.1" not in html


def test_a_coordinator_sees_the_structure_checks(coordinator, programme):
    html = coordinator.get(reverse("curriculum:structure", args=["mcrt"])).content.decode()
    assert "La structure est correcte" in html
    Module.objects.filter(code="F1.1.1").update(credits=5)
    html = coordinator.get(reverse("curriculum:structure", args=["mcrt"])).content.decode()
    assert "UEF1.1" in html
    assert "mais ses matières en totalisent 9" in html


def _module_data(**overrides: object) -> dict[str, object]:
    unit = TeachingUnit.objects.get(code="UED1.1")
    data: dict[str, object] = {
        "unit": unit.pk, "code": "D1.1.2", "title_fr": "Atelier de veille",
        "title_ar": "", "title_en": "", "credits": 1, "coefficient": 1,
        "hours_lecture": "0", "hours_tutorial": "1.5", "hours_practical": "0",
        "w_cc": "1.00", "w_exam": "0.00",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_a_coordinator_adds_a_module_and_the_checks_show_the_unit_no_longer_adds_up(
    coordinator, programme
):
    response = coordinator.post(reverse("curriculum:module_add", args=["mcrt"]), _module_data())
    assert response.status_code == 302
    module = Module.objects.get(code="D1.1.2")
    assert module.programme == programme
    assert module.position == 2
    html = coordinator.get(reverse("curriculum:structure", args=["mcrt"])).content.decode()
    assert "UED1.1" in html
    assert "problème" in html


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"w_cc": "0.50", "w_exam": "0.60"}, "w_exam", "doivent totaliser 1"),
        ({"code": "F1.1.1"}, None, "déjà utilisé"),
        ({"credits": "-2"}, "credits", "supérieure ou égale à 0"),
        ({"w_cc": "1.5"}, "w_cc", "inférieure ou égale à 1"),
        ({"coefficient": "0"}, "coefficient", "supérieure ou égale à 1"),
    ],
    ids=["weights", "duplicate-code", "negative-credits", "weight-above-one", "zero-coefficient"],
)
def test_bad_module_input_gets_a_clear_message_and_nothing_is_saved(
    coordinator, programme, overrides, field, message
):
    before = Module.objects.count()
    response = coordinator.post(
        reverse("curriculum:module_add", args=["mcrt"]), _module_data(**overrides)
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    if field:
        assert f'id="id_{field}_error"' in html
    assert Module.objects.count() == before


def test_a_module_of_another_programme_cannot_be_chosen_as_unit(coordinator, programme):
    from curriculum.models import Programme, Semester

    other = Programme.objects.create(code="X", slug="x", title_fr="Autre")
    other_unit = TeachingUnit.objects.create(
        semester=Semester.objects.create(programme=other, number=1),
        code="U",
        kind="UEF",
        credits=1,
        coefficient=1,
    )
    response = coordinator.post(
        reverse("curriculum:module_add", args=["mcrt"]), _module_data(unit=other_unit.pk)
    )
    assert response.status_code == 400
    assert not Module.objects.filter(code="D1.1.2").exists()


def test_a_coordinator_reorders_modules(coordinator, programme):
    first, second = Module.objects.filter(unit__code="UEF1.1").order_by("position")
    coordinator.post(
        reverse("curriculum:module_move", args=["mcrt", second.pk]), {"direction": "up"}
    )
    assert list(
        Module.objects.filter(unit__code="UEF1.1")
        .order_by("position")
        .values_list("code", flat=True)
    ) == [
        second.code,
        first.code,
    ]
    # Moving the first one up again changes nothing.
    coordinator.post(
        reverse("curriculum:module_move", args=["mcrt", second.pk]), {"direction": "up"}
    )
    assert Module.objects.get(pk=second.pk).position == 1


def test_a_coordinator_assigns_a_lecturer_and_refuses_someone_without_the_role(
    coordinator, programme, make_user
):
    module = Module.objects.get(code="F3.1.1")
    lecturer = make_user("lecturer")
    url = reverse("curriculum:module_add_lecturer", args=["mcrt", module.pk])
    response = coordinator.post(url, {"lecturer-lecturer": lecturer.pk, "lecturer-role": "lead"})
    assert response.status_code == 302
    assert module.lecturers.filter(pk=lecturer.pk).exists()
    applicant = make_user()
    response = coordinator.post(url, {"lecturer-lecturer": applicant.pk, "lecturer-role": "co"})
    assert response.status_code == 400
    assert not module.lecturers.filter(pk=applicant.pk).exists()
    response = coordinator.post(url, {"lecturer-lecturer": lecturer.pk, "lecturer-role": "co"})
    assert response.status_code == 400
    assert "enseigne déjà" in response.content.decode()


def test_a_coordinator_assigns_and_removes_a_partner(coordinator, programme):
    module = Module.objects.get(code="T1.1.1")
    adc = OrganisationFactory._meta.model.objects.get(slug="adc")
    coordinator.post(
        reverse("curriculum:module_add_partner", args=["mcrt", module.pk]),
        {"partner-organisation": adc.pk, "partner-role": "guests"},
    )
    role = module.partner_roles.get(organisation=adc)
    coordinator.post(reverse("curriculum:module_remove_partner", args=["mcrt", module.pk, role.pk]))
    assert not module.partner_roles.filter(organisation=adc).exists()


def test_the_maquette_exports_as_csv_and_xlsx(coordinator, programme):
    response = coordinator.get(reverse("curriculum:export", args=["mcrt", "csv"]))
    assert response["Content-Type"].startswith("text/csv")
    # French: ";" between cells, as Excel opens it on a French Windows.
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 1 + 28
    assert rows[1][:3] == ["S1", "UEF1.1", "UEF"]
    assert rows[1][5] == "F1.1.1"
    response = coordinator.get(reverse("curriculum:export", args=["mcrt", "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 29
    assert sheet["F2"].value == "F1.1.1"
    assert coordinator.get("/staff/curriculum/mcrt/maquette.exe").status_code == 404


def test_a_formula_in_a_title_is_neutralised_in_the_csv(coordinator, programme):
    Module.objects.filter(code="F1.1.1").update(title_en='=HYPERLINK("http://evil")')
    content = coordinator.get(reverse("curriculum:export", args=["mcrt", "csv"])).content.decode(
        "utf-8-sig"
    )
    assert "'=HYPERLINK" in content


def test_a_coordinator_edits_the_programme_rules_and_bad_bands_are_refused(coordinator, programme):
    from django.forms.models import model_to_dict

    data = {
        k: ("" if v is None else v)
        for k, v in model_to_dict(programme).items()
        if k not in {"id", "diploma_authority"}
    }
    data.update(mention_bien="11.00", diploma_authority=programme.diploma_authority_id)
    response = coordinator.post(reverse("curriculum:programme_edit", args=["mcrt"]), data)
    assert response.status_code == 400
    programme.refresh_from_db()
    assert programme.mention_bien == 14


def test_the_checks_are_in_view_on_the_module_edit_page(coordinator, programme):
    Module.objects.filter(code="F1.1.2").update(credits=3)
    module = Module.objects.get(code="F1.1.1")
    html = coordinator.get(
        reverse("curriculum:module_edit", args=["mcrt", module.pk])
    ).content.decode()
    assert 'data-testid="structure-checks"' in html
    assert "UEF1.1" in html
    assert "mais ses matières en totalisent 9" in html


def test_the_partner_directory_query_count_is_fixed(
    client, programme, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        client.get(reverse("curriculum:partners"))


def test_a_module_taught_to_a_cohort_is_not_deleted_and_the_page_says_why(programme, coordinator):
    from studies.models import Offering
    from tests.factories.enrollment import CohortFactory

    module = Module.objects.filter(programme=programme).order_by("pk")[0]
    cohort = CohortFactory.create(programme=programme)
    Offering.objects.create(cohort=cohort, module=module, academic_year="2025-2026", semester=1)
    response = coordinator.post(
        reverse("curriculum:module_delete", args=[programme.slug, module.pk]), follow=True
    )
    assert response.status_code == 200
    assert f"Le module {module.code} est enseigné à {cohort}" in response.content.decode()
    assert Module.objects.filter(pk=module.pk).exists()

    unused = Module.objects.filter(programme=programme).exclude(pk=module.pk).order_by("pk")[0]
    coordinator.post(reverse("curriculum:module_delete", args=[programme.slug, unused.pk]))
    assert not Module.objects.filter(pk=unused.pk).exists()
