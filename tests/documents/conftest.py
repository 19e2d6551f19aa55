import threading

import pytest

from printing import pdf


class RenderSpy:
    """Counts the PDFs printed through `pdf.html_to_pdf` (any thread)."""

    def __init__(self, real) -> None:
        self.real = real
        self.count = 0
        self._lock = threading.Lock()

    def __call__(self, *args, **kwargs) -> bytes:
        data = self.real(*args, **kwargs)
        with self._lock:
            self.count += 1
        return data


@pytest.fixture
def pdf_renders(monkeypatch) -> RenderSpy:
    spy = RenderSpy(pdf.html_to_pdf)
    monkeypatch.setattr(pdf, "html_to_pdf", spy)
    return spy
