"""Tapping as a finger does, on a phone-sized page in a real Chromium."""

from playwright.sync_api import Error as PlaywrightError


def tap_when_still(page, selector: str) -> None:
    """Scroll the element into view, let the page settle, then tap it: a tap
    that lands while the page is still scrolling only stops the scroll, and
    the browser sends no click (as on a real phone)."""
    target = page.locator(selector)
    target.scroll_into_view_if_needed()
    # Still: the same place and scroll position twice in a row, however long
    # a loaded machine takes to get there.
    previous = None
    for _ in range(50):
        now = (target.bounding_box(), page.evaluate("[scrollX, scrollY]"))
        if now == previous:
            break
        previous = now
        page.wait_for_timeout(150)
    # On a loaded machine the touch's start and end can land further apart
    # than Chromium's long-press delay: the gesture is then a long press and
    # no click follows. Like a person, tap again until the element is clicked.
    for _ in range(3):
        target.evaluate(
            "e => { window.tapped = false; e.addEventListener("
            "'click', () => { window.tapped = true; }, {once: true}); }"
        )
        target.tap()
        try:
            page.wait_for_function("() => window.tapped === true", timeout=2_000)
            return
        except PlaywrightError:
            # The click navigated (the flag went with the page), or no click came.
            try:
                if page.evaluate("window.tapped === undefined"):
                    return
            except PlaywrightError:
                return  # the page is being replaced: the click came
    raise AssertionError(f"three taps on {selector} never clicked it")
