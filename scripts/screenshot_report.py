"""Chromium screenshots of a silkway HTML report (the one `make run` / `silkway demo` writes), for people to look at:
the whole page, and each section (h2) on its own.

    PYTHONPATH=src .venv/bin/python scripts/screenshot_report.py silkway-report/report.html test-artifacts/report

Needs Debian's chromium (scripts/install-browser.sh) and playwright (dev extra)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run"]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:48] or "section"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("report", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--width", type=int, default=1280)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": args.width, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(args.report.resolve().as_uri())
        page.wait_for_load_state("load")
        page.screenshot(path=str(args.out / "00-report-full-page.png"), full_page=True)
        heads = page.locator("h2")
        for i in range(heads.count()):
            head = heads.nth(i)
            # the section: from this h2 to the next (the parent <section> when the report uses them)
            box = head.evaluate("""(h) => { const s = h.closest('section'); const next = [...document.querySelectorAll('h2')]
                .find(x => x.compareDocumentPosition(h) & Node.DOCUMENT_POSITION_PRECEDING);
                const top = (s || h).getBoundingClientRect().top + window.scrollY;
                const bottom = s ? s.getBoundingClientRect().bottom + window.scrollY
                    : (next ? next.getBoundingClientRect().top + window.scrollY : document.documentElement.scrollHeight);
                return {x: 0, y: top - 8, width: document.documentElement.clientWidth, height: Math.max(bottom - top + 8, 40)}; }""")
            name = f"{i + 1:02d}-{slug(head.inner_text())}.png"
            page.screenshot(path=str(args.out / name), full_page=True, clip=box)
            print(args.out / name)
        browser.close()
    if errors:
        raise SystemExit(f"errors in the page: {errors}")


if __name__ == "__main__":
    main()
