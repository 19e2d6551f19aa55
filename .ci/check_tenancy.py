"""Fail when company-owned rows are read without the company scope.

Reads of a CompanyOwned model go through `.for_company(...)` or a scoped parent
(`client.documents`). The exceptions: creating rows, and lines that say why they
are unscoped with a `# unscoped: <reason>` comment on that line or the one
above (re-reading a row already in hand under a lock is one such reason, said
each time).
"""

import os
import re
import sys
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")
django.setup()

from django.apps import apps  # noqa: E402

from companies.models import CompanyOwned  # noqa: E402

ALLOWED = ("for_company(", "create(", "bulk_create(")
owned = sorted(m.__name__ for m in apps.get_models() if issubclass(m, CompanyOwned))
pattern = re.compile(r"\b(" + "|".join(owned) + r")\.objects\.(?P<rest>\w+\(\)?)")
skip_parts = {"migrations", "tests", ".venv", "benchmarks", ".ci"}

problems = []
for path in ROOT.rglob("*.py"):
    relative = path.relative_to(ROOT)
    if skip_parts & set(relative.parts):
        continue
    lines = path.read_text().splitlines()
    for number, text in enumerate(lines, start=1):
        if "# unscoped:" in text or "# unscoped:" in lines[number - 2]:
            continue
        for match in pattern.finditer(text):
            if not match.group("rest").startswith(ALLOWED):
                problems.append(f"{relative}:{number}: {text.strip()}")

if problems:
    print("Unscoped reads of company-owned models (use for_company or say why):")
    print("\n".join(problems))
    sys.exit(1)
print(f"tenancy: every read of {len(owned)} company-owned models is scoped")
