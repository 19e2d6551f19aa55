"""The official validators of a CII e-invoice, run here: the only module that
imports saxonche (an XSLT 3 processor).

Three compiled Schematron rule sets, vendored in `einvoicing/validators/`
(versions and licences in its README): CEN's EN 16931 CII rules, the
Factur-X EN16931 schematron, and the French reform's BR-FR rules, the last
only for a French seller (they are France's, not Europe's). Each outputs
SVRL; every `failed-assert` or `successful-report` is a finding, fatal or a
warning as the rule flags it. The tests run every kind of document through
them; sending to the approved platform refuses a fatal finding.
"""

import threading
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from saxonche import PySaxonProcessor, PyXsltExecutable

VALIDATORS_DIR = Path(__file__).resolve().parent / "validators"
EN16931 = "EN16931-CII-validation.xslt"
FACTUR_X = "FACTUR-X_EN16931.xslt"
BR_FR = "BR-FR-Flux2-Schematron-CII.xslt"
RULE_SETS = (EN16931, FACTUR_X, BR_FR)

SVRL = "http://purl.oclc.org/dsdl/svrl"
RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = (
    "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
)
SELLER_COUNTRY = (
    f"{{{RSM}}}SupplyChainTradeTransaction/{{{RAM}}}ApplicableHeaderTradeAgreement/"
    f"{{{RAM}}}SellerTradeParty/{{{RAM}}}PostalTradeAddress/{{{RAM}}}CountryID"
)
FATAL = "fatal"
WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One rule an e-invoice breaks: its id (BR-CO-16, BR-FR-12…), whether
    it blocks (`fatal`) or only warns, the rule's own message, and the rule
    set that said so."""

    rule: str
    flag: str
    message: str
    rule_set: str

    @property
    def is_fatal(self) -> bool:
        return self.flag == FATAL


class _Validators:
    """The processor and the three stylesheets, compiled once per process
    (a few seconds each) on first use. Saxon's executables are not shared
    between threads here: one lock serialises the transforms."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._processor: PySaxonProcessor | None = None
        self._compiled: dict[str, PyXsltExecutable] = {}

    def transform(self, rule_set: str, xml: bytes) -> bytes:
        with self._lock:
            if self._processor is None:
                self._processor = PySaxonProcessor(license=False)
            executable = self._compiled.get(rule_set)
            if executable is None:
                compiler = self._processor.new_xslt30_processor()
                # From the file, so that document() finds the code list the
                # Factur-X rules read beside the stylesheet.
                executable = compiler.compile_stylesheet(
                    stylesheet_file=str(VALIDATORS_DIR / rule_set)
                )
                self._compiled[rule_set] = executable
            node = self._processor.parse_xml(xml_text=xml.decode("utf-8"))
            output = executable.transform_to_string(xdm_node=node)
        return (output or "").encode("utf-8")


_validators = _Validators()


def _flag(element: etree._Element) -> str:
    # The rule sets flag with "fatal", "warning" or "information"; CEN's
    # (unflagged asserts are errors to it) and BR-FR's "error" are fatal.
    flag = (element.get("flag") or "fatal").lower()
    return WARNING if flag in ("warning", "information", "info") else FATAL


def _findings(svrl: bytes, rule_set: str) -> list[Finding]:
    root = etree.fromstring(svrl)
    found = []
    tags = (f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report")
    for element in root.iter(*tags):
        text = element.findtext(f"{{{SVRL}}}text") or ""
        found.append(
            Finding(
                rule=element.get("id") or element.get("test") or "",
                flag=_flag(element),
                message=" ".join(text.split()),
                rule_set=rule_set,
            )
        )
    return found


def seller_is_french(xml: bytes) -> bool:
    """The French rules apply to an invoice a French seller issues."""
    country = etree.fromstring(xml).findtext(SELLER_COUNTRY)
    return (country or "").strip() == "FR"


def rule_sets_for(xml: bytes) -> tuple[str, ...]:
    """The rule sets an e-invoice must satisfy: EN 16931 and Factur-X always,
    BR-FR for a French seller."""
    if seller_is_french(xml):
        return RULE_SETS
    return (EN16931, FACTUR_X)


def validate(xml: bytes) -> list[Finding]:
    """Every finding of the official rule sets that apply to the e-invoice
    `xml` (a Factur-X EN 16931 CII document), fatal ones first; empty when it
    passes them all.

    :raises etree.XMLSyntaxError: `xml` is not well-formed XML.
    """
    findings = []
    for rule_set in rule_sets_for(xml):
        findings.extend(_findings(_validators.transform(rule_set, xml), rule_set))
    return sorted(findings, key=lambda finding: not finding.is_fatal)


def fatal(findings: list[Finding]) -> list[Finding]:
    """The findings that block sending."""
    return [finding for finding in findings if finding.is_fatal]
