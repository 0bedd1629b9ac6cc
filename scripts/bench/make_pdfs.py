#!/usr/bin/env python3
"""usage: make_pdfs.py DIR COUNT BYTES — COUNT distinct, well-formed PDFs of about BYTES each
(one page; the bulk is an incompressible image stream, as a scanned page's is)."""
import os
import sys


def pdf(payload: bytes) -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length %d >>\nstream\n" % len(payload)
        + payload + b"\nendstream",
        b"<< /Length 0 >>\nstream\n\nendstream",
    ]
    return assemble(objects)


def assemble(objects, trailer=b"") -> bytes:
    """A PDF of `objects` (numbered from 1; 1 is the catalog) with its cross-reference table;
    `trailer` adds entries to the trailer dictionary (e.g. an /ID)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref)
    return bytes(out)


def main(folder, count, size):
    os.makedirs(folder, exist_ok=True)
    for i in range(count):
        path = os.path.join(folder, f"report-{i:03d}.pdf")
        with open(path, "wb") as f:
            f.write(pdf(os.urandom(max(0, size - 700))))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
