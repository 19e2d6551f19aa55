"""The PDF/A-3b rules a test can check here, read with pikepdf (veraPDF, the
reference validator, needs Java and cannot be installed on this machine):
XMP identification, output intent, embedded fonts, transparency groups,
image interpolation and the associated files' relationship."""

import io
import re

import pikepdf

# ISO 19005-3, 6.2.10: only these blend modes.
STANDARD_BLEND_MODES = {
    "/Normal", "/Compatible", "/Multiply", "/Screen", "/Overlay", "/Darken",
    "/Lighten", "/ColorDodge", "/ColorBurn", "/HardLight", "/SoftLight",
    "/Difference", "/Exclusion", "/Hue", "/Saturation", "/Color", "/Luminosity",
}  # fmt: skip


def _open(data: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(data))


def _walk_xobjects(resources, seen: set, found: list) -> None:
    """Every XObject reachable from `resources`, forms followed inside."""
    if resources is None:
        return
    xobjects = resources.get("/XObject")
    if xobjects is None:
        return
    for name, xobject in xobjects.items():
        key = xobject.objgen
        if key in seen:
            continue
        seen.add(key)
        found.append((name, xobject))
        if xobject.get("/Subtype") == "/Form":
            _walk_xobjects(xobject.get("/Resources"), seen, found)


def _xobjects(pdf: pikepdf.Pdf) -> list:
    found: list = []
    seen: set = set()
    for page in pdf.pages:
        _walk_xobjects(page.obj.get("/Resources"), seen, found)
    return found


def interpolated_images(data: bytes) -> list[str]:
    """The images that ask readers to interpolate them (6.2.8-3: forbidden)."""
    with _open(data) as pdf:
        return [
            str(name)
            for name, xobject in _xobjects(pdf)
            if xobject.get("/Subtype") == "/Image"
            and bool(xobject.get("/Interpolate", False))
        ]


def problems(data: bytes) -> list[str]:
    """What breaks the PDF/A-3b rules checked here; empty when none."""
    found = []
    with _open(data) as pdf:
        catalog = pdf.Root
        xmp = bytes(catalog.Metadata.read_bytes()).decode("utf-8")
        part = re.search(r"pdfaid:part(?:>|=\")(\d)", xmp)
        conformance = re.search(r"pdfaid:conformance(?:>|=\")([A-Z])", xmp)
        if not (part and part[1] == "3" and conformance and conformance[1] == "B"):
            found.append("6.6.4: XMP pdfaid part 3, conformance B")
        intents = catalog.get("/OutputIntents") or []
        if not any(
            intent.get("/S") == "/GTS_PDFA1" and "/DestOutputProfile" in intent
            for intent in intents
        ):
            found.append("6.2.3: a GTS_PDFA1 output intent with its ICC profile")
        for page_number, page in enumerate(pdf.pages, start=1):
            found.extend(_page_problems(page, page_number, bool(intents)))
        for name, xobject in _xobjects(pdf):
            if xobject.get("/Subtype") == "/Image" and xobject.get("/Interpolate"):
                found.append(f"6.2.8-3: image {name} has /Interpolate true")
            group = xobject.get("/Group")
            if group is not None and group.get("/S") == "/Transparency":
                if not intents and "/CS" not in group:
                    found.append(f"6.2.10: transparency group {name} without CS")
        found.extend(_associated_file_problems(catalog))
    return found


def _page_problems(page, number: int, has_intent: bool) -> list[str]:
    found = []
    resources = page.obj.get("/Resources") or {}
    for name, font in (resources.get("/Font") or {}).items():
        for descriptor in _font_descriptors(font):
            if not any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
            ):
                found.append(f"6.2.11.4: font {name} on page {number} not embedded")
    for name, state in (resources.get("/ExtGState") or {}).items():
        mode = state.get("/BM")
        if mode is not None and str(mode) not in STANDARD_BLEND_MODES:
            found.append(f"6.2.10: blend mode {mode} in {name}")
    group = page.obj.get("/Group")
    if group is not None and group.get("/S") == "/Transparency":
        if not has_intent and "/CS" not in group:
            found.append(f"6.2.10: page {number} transparency group without CS")
    return found


def _font_descriptors(font) -> list:
    if font.get("/Subtype") == "/Type0":
        return [
            descendant.FontDescriptor
            for descendant in font.DescendantFonts
            if "/FontDescriptor" in descendant
        ]
    if font.get("/Subtype") == "/Type3":
        return []
    return [font.FontDescriptor] if "/FontDescriptor" in font else []


def _associated_file_problems(catalog) -> list[str]:
    """Every embedded file is an associated file of the document (6.8), with
    its relationship, MIME type and modification date."""
    found = []
    names = catalog.get("/Names")
    embedded = names.get("/EmbeddedFiles") if names is not None else None
    listed = list(embedded.get("/Names", []))[1::2] if embedded is not None else []
    associated = {spec.objgen for spec in catalog.get("/AF", [])}
    for spec in listed:
        if spec.objgen not in associated:
            found.append(f"6.8: {spec.get('/F')} is not in the catalog's /AF")
        if "/AFRelationship" not in spec:
            found.append(f"6.8: {spec.get('/F')} has no /AFRelationship")
        stream = spec.EF.F
        if "/Subtype" not in stream:
            found.append(f"6.8: {spec.get('/F')} has no MIME type")
        if "/ModDate" not in stream.get("/Params", {}):
            found.append(f"6.8: {spec.get('/F')} has no modification date")
    return found
