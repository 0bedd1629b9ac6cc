#!/usr/bin/env python3
"""usage: make_long_pdf.py FILE PAGES — one distinct, well-formed PDF of PAGES A4 pages, each a
page of a (fictional, nameless) cumulative lab report: real text (Helvetica, a heading, a table
of about 40 results, a footer with the page number) and table rules, as a long typed report's
pages are. The viewer's memory row (pdf_memory.mjs) opens it. No patient names or numbers."""
import os
import random
import sys

from make_pdfs import assemble

TESTS = [
    ("Haemoglobin", "g/L", 115, 165), ("White cell count", "10^9/L", 4.0, 11.0),
    ("Platelets", "10^9/L", 150, 400), ("Neutrophils", "10^9/L", 2.0, 7.5),
    ("Lymphocytes", "10^9/L", 1.0, 4.0), ("Mean cell volume", "fL", 80, 100),
    ("Sodium", "mmol/L", 133, 146), ("Potassium", "mmol/L", 3.5, 5.3),
    ("Urea", "mmol/L", 2.5, 7.8), ("Creatinine", "umol/L", 45, 110),
    ("eGFR", "mL/min/1.73m2", 60, 120), ("Bilirubin", "umol/L", 0, 21),
    ("ALT", "U/L", 0, 40), ("ALP", "U/L", 30, 130), ("Albumin", "g/L", 35, 50),
    ("C-reactive protein", "mg/L", 0, 5), ("Glucose (fasting)", "mmol/L", 3.0, 6.0),
    ("HbA1c", "mmol/mol", 20, 42), ("Total cholesterol", "mmol/L", 2.5, 5.0),
    ("TSH", "mU/L", 0.27, 4.2), ("Free T4", "pmol/L", 12, 22), ("Ferritin", "ug/L", 30, 400),
    ("Vitamin B12", "ng/L", 180, 900), ("Folate", "ug/L", 3.9, 26.8),
    ("INR", "", 0.8, 1.2), ("APTT", "s", 25, 37), ("Magnesium", "mmol/L", 0.7, 1.0),
    ("Calcium (adjusted)", "mmol/L", 2.2, 2.6), ("Phosphate", "mmol/L", 0.8, 1.5),
    ("Lactate", "mmol/L", 0.5, 2.2),
]
ROWS = 40


def text(s: str) -> bytes:
    return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("latin-1")


def page_content(n: int, pages: int, token: str, rng: random.Random) -> bytes:
    ops = [b"0.6 w 0.75 G"]
    # Table rules: under the heading and every fifth row.
    for i in range(0, ROWS + 1, 5):
        y = 700 - i * 15 - 4
        ops.append(b"50 %d m 545 %d l S" % (y, y))
    ops.append(b"BT /F1 16 Tf 50 790 Td (%s) Tj ET" % text("Cumulative laboratory report"))
    ops.append(b"BT /F1 9 Tf 50 772 Td (%s) Tj ET" % text(f"Benchmark document {token}, generated for Chartdesk's viewer memory row"))
    ops.append(b"BT /F1 10 Tf 50 742 Td (%s) Tj ET" % text(f"Section {n}: results of collection {n} of {pages} (all values fictional)"))
    ops.append(b"BT /F1 9 Tf 50 712 Td (Test) Tj 200 0 Td (Result) Tj 80 0 Td (Units) Tj 110 0 Td (Reference range) Tj ET")
    for i in range(ROWS):
        name, unit, lo, hi = TESTS[(n * 7 + i) % len(TESTS)]
        value = rng.uniform(lo * 0.8, hi * 1.2) if hi else 0
        flag = " H" if value > hi else " L" if value < lo else ""
        y = 700 - (i + 1) * 15 + 4
        ops.append(
            b"BT /F1 9 Tf 50 %d Td (%s) Tj 200 0 Td (%s) Tj 80 0 Td (%s) Tj 110 0 Td (%s) Tj ET"
            % (y, text(name), text(f"{value:.1f}{flag}"), text(unit), text(f"{lo} - {hi}"))
        )
    ops.append(b"BT /F1 8 Tf 50 60 Td (%s) Tj ET" % text("Comments: specimens received in good condition; no haemolysis. Reported and checked by the laboratory."))
    ops.append(b"BT /F1 9 Tf 470 40 Td (%s) Tj ET" % text(f"Page {n} of {pages}"))
    return b"\n".join(ops)


def make(path: str, pages: int) -> None:
    token = os.urandom(8).hex()
    rng = random.Random(token)
    # 1 catalog, 2 page tree, 3 font, then each page and its content stream.
    kids = b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for i in range(pages):
        content = page_content(i + 1, pages, token, rng)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>"
            % (5 + 2 * i)
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    with open(path, "wb") as f:
        f.write(assemble(objects, b" /ID [<%s> <%s>]" % (token.encode(), token.encode())))


if __name__ == "__main__":
    if len(sys.argv) != 3 or int(sys.argv[2]) < 1:
        sys.exit(__doc__)
    make(sys.argv[1], int(sys.argv[2]))
