"""Helpers of the browser tests: accounts, counting what a user does, axe-core."""

from __future__ import annotations

import uuid

from web_support import PASSWORD

PHONE = {"width": 390, "height": 844}
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


def sign_up(page, role: str) -> str:
    username = f"{role[:3]}{uuid.uuid4().hex[:8]}"
    page.goto("/register")
    page.check(f"input[name=role][value={role}]")
    page.fill("#username", username)
    page.fill("#email", f"{username}@example.org")
    page.fill("#display_name", f"{role.title()} {username[-4:]}")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/cases")
    return username


class Actions:
    """A user's keys and clicks, counted as they happen (issue 9's keystroke budgets).

    A click is 1; a key is 1; typed text is one key per character; choosing from a list
    with the mouse is 2 (open it, pick the entry)."""

    def __init__(self, page):
        self.page = page
        self.keys = 0
        self.clicks = 0

    @property
    def total(self) -> int:
        return self.keys + self.clicks

    def click(self, selector: str) -> None:
        self.page.click(selector)
        self.clicks += 1

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.keys += 1

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.keys += len(text)

    def choose(self, selector: str, value: str) -> None:
        self.page.select_option(selector, value)
        self.clicks += 2


def axe_violations(page) -> list[str]:
    """axe-core (bundled by axe-playwright-python, no network) over the page as shown:
    one line per violation with the elements it names."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"resultTypes": ["violations"]})
    return [
        f"{v['id']} ({v['impact']}): " + "; ".join(" ".join(map(str, n["target"])) for n in v["nodes"][:4])
        for v in results.response["violations"]
    ]
