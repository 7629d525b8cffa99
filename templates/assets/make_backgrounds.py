#!/usr/bin/env python3
"""Draws the bundled templates' backgrounds: the frames, as vector PDFs.

Each is one page, the way a designer's PDF reaches piagam: a page tint, a
gold rule, a fine rounded inner rule, a navy hairline and corner ornaments,
all at least 8 mm inside the paper's edge (office printers leave about
5 mm blank). Replace latar-*.pdf with your own design's PDF. Run this to
regenerate them; it needs only the Python standard library, and gives the
same bytes every time.
"""
import zlib

PT_PER_MM = 72 / 25.4
NAVY = (0x1F, 0x3A, 0x5F)
GOLD = (0x9A, 0x7B, 0x2F)
TINT = (0xFD, 0xFB, 0xF5)


def rgb(c):
    return " ".join(f"{v / 255:.3f}" for v in c)


def rounded(x, y, w, h, r):
    """A rounded rectangle path; (x, y) is its bottom-left corner, in mm."""
    k = 0.5523 * r
    return "\n".join(
        [
            f"{x + r:.3f} {y:.3f} m",
            f"{x + w - r:.3f} {y:.3f} l",
            f"{x + w - r + k:.3f} {y:.3f} {x + w:.3f} {y + r - k:.3f} {x + w:.3f} {y + r:.3f} c",
            f"{x + w:.3f} {y + h - r:.3f} l",
            f"{x + w:.3f} {y + h - r + k:.3f} {x + w - r + k:.3f} {y + h:.3f} {x + w - r:.3f} {y + h:.3f} c",
            f"{x + r:.3f} {y + h:.3f} l",
            f"{x + r - k:.3f} {y + h:.3f} {x:.3f} {y + h - r + k:.3f} {x:.3f} {y + h - r:.3f} c",
            f"{x:.3f} {y + r:.3f} l",
            f"{x:.3f} {y + r - k:.3f} {x + r - k:.3f} {y:.3f} {x + r:.3f} {y:.3f} c",
            "h",
        ]
    )


def frame(width, height):
    """The drawing operators of one frame, in millimetres from bottom-left."""
    ops = [f"{PT_PER_MM:.6f} 0 0 {PT_PER_MM:.6f} 0 0 cm"]
    ops.append(f"{rgb(TINT)} rg 0 0 {width} {height} re f")
    # The gold rule, and a fine rounded one inside it.
    ops.append(f"{rgb(GOLD)} RG 1.6 w 8 8 {width - 16} {height - 16} re S")
    ops.append("0.3 w " + rounded(11.5, 11.5, width - 23, height - 23, 2) + " S")
    # A navy hairline.
    ops.append(f"{rgb(NAVY)} RG 0.2 w 14 14 {width - 28} {height - 28} re S")
    # At each corner, a navy angle and a small gold diamond in it.
    inset, arm = 17.0, 12.0
    for cx, sx in ((inset, 1), (width - inset, -1)):
        for cy, sy in ((inset, 1), (height - inset, -1)):
            ops.append(
                f"{rgb(NAVY)} RG 0.8 w {cx + sx * arm:.3f} {cy:.3f} m {cx:.3f} {cy:.3f} l "
                f"{cx:.3f} {cy + sy * arm:.3f} l S"
            )
            dx, dy = cx + sx * 3.2, cy + sy * 3.2
            ops.append(
                f"{rgb(GOLD)} rg {dx - 1.4:.3f} {dy:.3f} m {dx:.3f} {dy + 1.4:.3f} l "
                f"{dx + 1.4:.3f} {dy:.3f} l {dx:.3f} {dy - 1.4:.3f} l f"
            )
    return "\n".join(ops) + "\n"


def pdf(path, width_mm, height_mm, title):
    content = zlib.compress(frame(width_mm, height_mm).encode(), 9)
    w, h = width_mm * PT_PER_MM, height_mm * PT_PER_MM
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        f"<</Type/Page/Parent 2 0 R/MediaBox[0 0 {w:.2f} {h:.2f}]/Contents 4 0 R/Resources<<>>>>".encode(),
        f"<</Length {len(content)}/Filter/FlateDecode>>\nstream\n".encode() + content + b"\nendstream",
        f"<</Title({title})/Producer(piagam make_backgrounds.py)>>".encode(),
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010} 00000 n \n".encode()
    out += f"trailer\n<</Size {len(objects) + 1}/Root 1 0 R/Info 5 0 R>>\nstartxref\n{xref}\n%%EOF\n".encode()
    with open(path, "wb") as f:
        f.write(out)


if __name__ == "__main__":
    import os

    here = os.path.dirname(os.path.abspath(__file__))
    pdf(os.path.join(here, "latar-piagam.pdf"), 297, 210, "Latar piagam A4 lanskap")
    pdf(os.path.join(here, "latar-sertifikat.pdf"), 210, 297, "Latar sertifikat A4 tegak")
