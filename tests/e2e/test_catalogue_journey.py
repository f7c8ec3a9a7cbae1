"""A visitor reads the programme in Arabic, right-to-left, and opens a partner's page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from curriculum.demo import seed_curriculum
from partners.demo import seed_partners
from tests.helpers import output_dir_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_visitor_browses_the_programme_in_arabic_and_opens_a_partner(page: Page, live_server):
    seed_curriculum(organisations=seed_partners())
    shots = output_dir_for("e2e/catalogue")

    page.goto(live_server.url)
    page.get_by_test_id("lang-ar").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")

    page.get_by_role("navigation", name="التصفح الرئيسي").get_by_role(
        "link", name="البرنامج"
    ).click()
    expect(page).to_have_url(re.compile(r"/programme/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "ماستر في إدارة العناقيد الصناعية والشبكات الإقليمية"
    )
    expect(page.get_by_role("heading", name=re.compile("السداسي 1"))).to_be_visible()
    page.screenshot(path=shots / "01-programme-arabic.png", full_page=True)

    # The table reads right-to-left: the code column sits at the right edge.
    code_header = page.locator("#s1 thead th").first.bounding_box()
    last_header = page.locator("#s1 thead th").last.bounding_box()
    assert code_header
    assert last_header
    assert code_header["x"] > last_header["x"]

    page.locator("#s2").get_by_role("link", name="ENP").first.click()
    expect(page).to_have_url(re.compile(r"/partners/enp/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "المدرسة الوطنية المتعددة التقنيات"
    )
    expect(page.get_by_text("F2.2.1")).to_be_visible()
    expect(page.get_by_role("heading", name="الاتفاقيات السارية")).to_be_visible()
    page.screenshot(path=shots / "02-partner-arabic.png", full_page=True)

    page.get_by_role("link", name=re.compile("F2.2.1")).click()
    expect(page).to_have_url(re.compile(r"/programme/mcrt/modules/F2.2.1/$"))
    expect(page.get_by_role("heading", name="مكتسبات التعلم")).to_be_visible()
    page.screenshot(path=shots / "03-module-arabic.png", full_page=True)
