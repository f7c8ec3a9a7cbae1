"""The grid page's keyboard (static/js/grid.js) in a real browser, under the site's
Content-Security-Policy: Enter and the arrows move between cells as in a spreadsheet, and
a column pasted from a spreadsheet fills the cells below."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import Browser, Page, expect

from studies.models import Mark, MarkSheet, Session
from tests.factories.accounts import PASSWORD
from tests.helpers import enable_totp, totp_code
from tests.studies.studies_helpers import make_setting

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def paste(page: Page, selector: str, text: str) -> None:
    """A paste of ``text`` into the field, as the browser fires it from the clipboard."""
    page.locator(selector).focus()
    page.evaluate(
        """([selector, text]) => {
            const data = new DataTransfer();
            data.setData("text/plain", text);
            const event = new ClipboardEvent("paste", {
                clipboardData: data, bubbles: true, cancelable: true,
            });
            document.querySelector(selector).dispatchEvent(event);
        }""",
        [selector, text],
    )


@pytest.fixture
def grid_page(browser: Browser, live_server, make_user) -> Any:
    setting = make_setting(make_user)
    lecturer = setting["lecturer"]
    Authenticator.objects.filter(user=lecturer).delete()
    secret = enable_totp(lecturer)
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on("pageerror", lambda error: violations.append(str(error)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Courriel").fill(lecturer.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name=re.compile("Connexion|Se connecter")).click()
    sheet = MarkSheet.objects.get(offering__module__code="F1.1.1", session=Session.NORMAL)
    page.goto(f"{live_server.url}/staff/grades/{sheet.pk}/")
    expect(page.get_by_test_id("sheet-status")).to_be_visible()
    yield page, setting["students"], violations
    context.close()


def test_enter_and_the_arrows_move_between_the_cells(grid_page):
    page, students, violations = grid_page
    first, second, third = (f"#cc-{s.pk}" for s in students)
    page.locator(first).click()
    page.keyboard.type("12")
    page.keyboard.press("Enter")  # moves down; the form is not submitted
    expect(page.locator(second)).to_be_focused()
    assert not Mark.objects.exists()
    page.keyboard.type("13")
    page.keyboard.press("ArrowDown")
    expect(page.locator(third)).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(page.locator(second)).to_be_focused()
    # The content of a cell reached with the keyboard is selected: typing replaces it.
    page.keyboard.type("14")
    expect(page.locator(second)).to_have_value("14")
    # Right moves to the exam only once the caret is at the end of the text.
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # the caret reaches the end of "14"
    expect(page.locator(second)).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(page.locator(f"#exam-{students[1].pk}")).to_be_focused()
    page.keyboard.press("ArrowLeft")  # an empty exam: the caret is at its start
    expect(page.locator(second)).to_be_focused()
    page.keyboard.press("Shift+Enter")
    expect(page.locator(first)).to_be_focused()
    expect(page.locator(first)).to_have_value("12")
    assert violations == []


def test_a_pasted_column_fills_the_cells_below(grid_page):
    page, students, violations = grid_page
    paste(page, f"#cc-{students[0].pk}", "12\n13,5\n14")
    for student, value in zip(students, ["12", "13,5", "14"], strict=True):
        expect(page.locator(f"#cc-{student.pk}")).to_have_value(value)
    # Rows copied with several columns (tab-separated) fill the next columns too; the
    # trailing line break a spreadsheet adds is no extra row.
    paste(page, f"#cc-{students[1].pk}", "15\t16\r\n17\t18\r\n")
    expect(page.locator(f"#cc-{students[0].pk}")).to_have_value("12")
    expect(page.locator(f"#cc-{students[1].pk}")).to_have_value("15")
    expect(page.locator(f"#exam-{students[1].pk}")).to_have_value("16")
    expect(page.locator(f"#cc-{students[2].pk}")).to_have_value("17")
    expect(page.locator(f"#exam-{students[2].pk}")).to_have_value("18")
    page.locator(f"#exam-{students[0].pk}").fill("10")
    page.get_by_role("button", name="Enregistrer la grille").click()
    expect(page.get_by_role("status")).to_be_visible()
    marks = {m.student_id: (m.cc, m.exam) for m in Mark.objects.all()}
    assert marks == {
        students[0].pk: (Decimal("12.00"), Decimal("10.00")),
        students[1].pk: (Decimal("15.00"), Decimal("16.00")),
        students[2].pk: (Decimal("17.00"), Decimal("18.00")),
    }
    assert violations == []
