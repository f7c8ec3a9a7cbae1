"""On a phone (390 × 844), in French and in Arabic: the student's pages and the coordinator's
list of applications never scroll sideways, every target is at least 24 × 24 px (WCAG 2.2,
2.5.8) and every focusable element shows an outline of at least 3:1 against what surrounds
it (WCAG 2.2, 2.4.7 and 1.4.11)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser, Page, ViewportSize, expect

from enrollment.services.applications import application_submit
from studies.models import Session
from studies.services.juries import jury_close, jury_get_or_create, jury_publish
from tests.factories.enrollment import IntakeFactory, ready_application
from tests.helpers import logged_in, output_dir_for
from tests.studies.studies_helpers import EXAMPLE_C, EXAMPLE_D, fill, make_setting

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 390, "height": 844}
LOCALES = {"fr": "fr-FR", "ar": "ar"}

# Every link, button, checkbox, radio button and drop-down list on screen that is smaller than
# 24 × 24 px. Exempt (WCAG 2.2, 2.5.8 "inline"): a link laid out inline inside a paragraph
# whose text, links left out, still has a letter or a digit — a link within a sentence,
# whose height is the line's. A paragraph or a list item that holds only links, and a link
# alone in a table cell, are not sentences: their links must be 24 × 24 px.
SMALL_TARGETS = """() => {
  const nameOf = (el) => {
    const name = ["A", "BUTTON"].includes(el.tagName) ? el.textContent : el.name || el.id;
    return `${el.tagName.toLowerCase()} "${(name || "").trim().slice(0, 40)}"`;
  };
  const width = document.documentElement.clientWidth;
  const blockOf = (el) => {
    let node = el.parentElement;
    while (node && getComputedStyle(node).display.startsWith("inline")) node = node.parentElement;
    return node;
  };
  const inSentence = (el) => {
    if (el.tagName !== "A" || getComputedStyle(el).display !== "inline") return false;
    const block = blockOf(el);
    if (!block || block.tagName !== "P") return false;
    const rest = block.cloneNode(true);
    rest.querySelectorAll("a").forEach((a) => a.remove());
    return /[\\p{L}\\p{N}]/u.test(rest.textContent);
  };
  const scrolledIn = (el) => {
    for (let node = el.parentElement; node; node = node.parentElement) {
      if (["auto", "scroll"].includes(getComputedStyle(node).overflowX)) return true;
    }
    return false;
  };
  const selector = 'a[href], button, input[type="checkbox"], input[type="radio"], select';
  const result = { measured: 0, small: [] };
  for (const el of document.querySelectorAll(selector)) {
    if (!el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
    const box = el.getBoundingClientRect();
    // Off the page, and not merely scrolled out of a table's own container: the skip link
    // until it is focused.
    if ((box.right <= 0 || box.left >= width) && !scrolledIn(el)) continue;
    if (inSentence(el)) continue;
    result.measured += 1;
    if (box.width < 24 || box.height < 24) {
      result.small.push(`${nameOf(el)} ${box.width.toFixed(1)}×${box.height.toFixed(1)}`);
    }
  }
  return result;
}"""

# Focus each visible focusable element in turn and read its outline: a solid outline at
# least 2 px wide whose colour has a contrast of 3:1 or more with the background that
# surrounds it, sampled just outside the outline on each side (the colour of the first
# element there, or of its nearest ancestor, that paints a background).
WEAK_FOCUS = """() => {
  const nameOf = (el) => {
    const name = ["A", "BUTTON"].includes(el.tagName) ? el.textContent : el.name || el.id;
    return `${el.tagName.toLowerCase()} "${(name || "").trim().slice(0, 40)}"`;
  };
  const rgba = (text) => {
    const [r, g, b, a = 1] = text.match(/[\\d.]+/g).map(Number);
    return { r, g, b, a };
  };
  const over = (top, under) => ({
    r: top.r * top.a + under.r * (1 - top.a),
    g: top.g * top.a + under.g * (1 - top.a),
    b: top.b * top.a + under.b * (1 - top.a),
    a: 1,
  });
  const luminance = ({ r, g, b }) => {
    const linear = (c) => (c /= 255) <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  };
  const contrast = (x, y) => {
    const [hi, lo] = [luminance(x), luminance(y)].sort((p, q) => q - p);
    return (hi + 0.05) / (lo + 0.05);
  };
  const backgroundOf = (node) => {
    const layers = [];
    for (; node; node = node.parentElement) {
      const colour = rgba(getComputedStyle(node).backgroundColor);
      if (colour.a > 0) layers.push(colour);
      if (colour.a === 1) break;
    }
    return layers.reduceRight((under, top) => over(top, under), { r: 255, g: 255, b: 255, a: 1 });
  };
  const selector =
    'a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex="-1"])';
  const weak = [];
  const focused = { A: 0, BUTTON: 0 };
  for (const el of document.querySelectorAll(selector)) {
    el.focus();
    if (document.activeElement !== el) continue;
    if (!el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
    focused[el.tagName] = (focused[el.tagName] || 0) + 1;
    const style = getComputedStyle(el);
    const width = parseFloat(style.outlineWidth);
    const name = nameOf(el);
    if (style.outlineStyle !== "solid" || !(width >= 2)) {
      weak.push(`${name}: outline ${style.outlineStyle} ${style.outlineWidth}`);
      continue;
    }
    const box = el.getBoundingClientRect();
    const out = width + Math.max(0, parseFloat(style.outlineOffset)) + 1;
    const points = [
      [box.left - out, box.top + box.height / 2],
      [box.right + out, box.top + box.height / 2],
      [box.left + box.width / 2, box.top - out],
      [box.left + box.width / 2, box.bottom + out],
    ].filter(([x, y]) => x >= 0 && y >= 0 && x < innerWidth && y < innerHeight);
    const colour = rgba(style.outlineColor);
    for (const [x, y] of points) {
      const behind = document.elementsFromPoint(x, y).find((n) => n !== el && !el.contains(n));
      const ratio = contrast(colour, backgroundOf(behind));
      if (ratio < 3) {
        weak.push(`${name}: outline ${style.outlineColor}, contrast ${ratio.toFixed(2)}`);
      }
    }
  }
  return { links: focused.A, buttons: focused.BUTTON, weak: [...new Set(weak)] };
}"""


def _session_of(client: Client) -> str:
    return client.cookies["sessionid"].value


@pytest.fixture
def sessions(make_user) -> dict[str, Any]:
    """A student of a cohort whose first semester is published, who also applied to an
    intake (so that My space lists the application), and a coordinator signed in with the
    second factor."""
    setting = make_setting(make_user)
    fill(setting, [EXAMPLE_C, EXAMPLE_D, EXAMPLE_C])
    jury = jury_get_or_create(cohort=setting["cohort"], semester=1, session=Session.NORMAL)
    jury_close(jury=jury, actor=setting["coordinator"])
    jury_publish(jury=jury, actor=setting["coordinator"])
    student = setting["students"][0].user
    intake = IntakeFactory.create(
        title_fr="Appel à candidatures — promotion 2027–2029",
        title_ar="إعلان الترشح — دفعة 2027–2029",
    )
    application = ready_application(student, intake)
    application_submit(application=application, actor=student)
    student_client = Client()
    student_client.force_login(student)
    return {
        "student": _session_of(student_client),
        "coordinator": _session_of(logged_in(setting["coordinator"])),
        "application": application.number,
    }


def _phone(browser: Browser, live_server, locale: str, session: str) -> tuple[Any, Page]:
    context = browser.new_context(locale=locale, viewport=PHONE)
    context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_pages_fit_a_phone_have_large_targets_and_a_visible_focus(
    browser: Browser, live_server, sessions, language
):
    shots = output_dir_for("e2e/phone")
    pages = [
        ("student", "me", reverse("me")),
        ("student", "programme", reverse("studies:my_programme")),
        (
            "student",
            "application",
            reverse("enrollment:application", args=[sessions["application"]]),
        ),
        ("coordinator", "applications", reverse("enrollment:staff_applications")),
    ]
    problems: list[str] = []
    for who, name, path in pages:
        context, page = _phone(browser, live_server, LOCALES[language], sessions[who])
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None
        assert response.status == 200, path
        expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
        page.screenshot(path=shots / f"{language}-{name}.png", full_page=True)
        widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        if widths[0] > widths[1]:
            problems.append(f"{path}: {widths[0]} px wide in a {widths[1]} px window")
        targets = page.evaluate(SMALL_TARGETS)
        assert targets["measured"] > 0, path
        problems += [f"{path}: {target} is under 24 × 24 px" for target in targets["small"]]
        page.keyboard.press("Tab")  # the keyboard is in use: :focus-visible applies
        focus = page.evaluate(WEAK_FOCUS)
        assert focus["links"] > 0, path
        assert focus["buttons"] > 0, path
        problems += [f"{path}: {weak}" for weak in focus["weak"]]
        context.close()
    assert problems == []
