"""Gapless numbers per company, kind and year."""

from django.db import models

from companies.models import CompanyOwned
from documents.models.document import Document


class DocumentNumberSequence(CompanyOwned):
    """The last number used per company, kind and year; locked while finalising."""

    kind = models.CharField(max_length=16, choices=Document.Kind.choices)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "kind", "year"], name="number_sequence_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last_number}"
