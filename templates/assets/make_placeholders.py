#!/usr/bin/env python3
"""Draws the neutral placeholder images the bundled templates use.

They are deliberately not real emblems, signatures or stamps. Run this to
regenerate them; it needs only the Python standard library.
"""
import math
import struct
import zlib


def png(path, width, height, pixel):
    """Writes an RGBA PNG; pixel(x, y) returns (r, g, b, a)."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            rows.extend(pixel(x, y))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(bytes(rows), 9)))
        f.write(chunk(b"IEND", b""))


def coverage(distance, half_width):
    """Anti-aliased coverage of a stroke at `distance` from its centre line."""
    return max(0.0, min(1.0, half_width + 0.5 - distance))


def star_distance(x, y, cx, cy, outer, inner):
    """Signed-ish inside test for a five-point star: 1 inside, 0 outside."""
    angle = math.atan2(y - cy, x - cx) + math.pi / 2
    r = math.hypot(x - cx, y - cy)
    sector = (angle % (2 * math.pi / 5)) / (2 * math.pi / 5)
    edge = inner + (outer - inner) * abs(1 - 2 * sector)
    return 1.0 if r <= edge else max(0.0, 1.0 - (r - edge))


def logo(x, y):
    cx = cy = 200
    r = math.hypot(x - cx, y - cy)
    navy, gold = (31, 58, 95), (154, 123, 47)
    a_ring = coverage(abs(r - 185), 10)
    a_gold = coverage(abs(r - 160), 4)
    a_star = star_distance(x, y, cx, cy, 110, 45)
    for color, alpha in ((navy, a_ring), (gold, a_gold), (gold, a_star)):
        if alpha > 0:
            return (*color, int(255 * alpha))
    if r < 185:
        return (255, 255, 255, 255)
    return (0, 0, 0, 0)


def signature_curve(t):
    """A loose hand-written flourish: x grows, y wanders."""
    x = 40 + 520 * t + 25 * math.sin(t * 38)
    y = 110 - 45 * math.sin(t * 9.5) * math.exp(-1.2 * t) - 25 * math.cos(t * 38) + 30 * t
    return x, y


SIGNATURE = [signature_curve(i / 1500) for i in range(1501)]


def signature(x, y):
    # Distance to the nearest sampled point of the curve (coarse, but enough).
    best = min((px - x) ** 2 + (py - y) ** 2 for px, py in SIGNATURE[::3])
    alpha = coverage(math.sqrt(best), 2.6)
    return (20, 35, 90, int(255 * alpha)) if alpha > 0 else (0, 0, 0, 0)


def ink(x, y):
    """Uneven stamp ink: a slow variation and a fine grain, the same every run."""
    slow = 0.5 + 0.5 * math.sin(x * 0.031 + 1.3) * math.cos(y * 0.027 - 0.4)
    grain = ((x * 73856093) ^ (y * 19349663)) % 1000 / 1000
    return 0.55 + 0.3 * slow + 0.15 * grain


def stamp(x, y):
    """A round office stamp in blue-violet ink: two rings, short strokes
    between them standing in for the lettering, a bar across the middle,
    and a small outlined star. Not any real office's stamp."""
    cx = cy = 200
    r = math.hypot(x - cx, y - cy)
    blue_violet = (52, 48, 128)
    alpha = max(coverage(abs(r - 182), 3.5), coverage(abs(r - 168), 1.5), coverage(abs(r - 112), 1.5))
    # Short radial strokes between the rings, in words of five or six.
    angle = (math.atan2(y - cy, x - cx) + math.pi) / (2 * math.pi)
    slot = int(angle * 120)
    if 128 <= r <= 150 and slot % 7 not in (0, 6) and slot % 2 == 0:
        alpha = max(alpha, 0.9)
    # A bar across the middle, as stamps carry the office's unit.
    if abs(y - cy) < 14 and abs(x - cx) < 100:
        edge = min(abs(abs(y - cy) - 14), abs(abs(x - cx) - 100))
        alpha = max(alpha, coverage(edge, 1.2))
        if abs(y - cy) < 6 and int((x - cx + 100) / 9) % 2 == 0 and abs(x - cx) < 86:
            alpha = max(alpha, 0.85)
    # A small star, drawn in outline, above the bar.
    outline = star_distance(x, y, cx, cy - 52, 30, 12) - star_distance(x, y, cx, cy - 52, 25, 10)
    alpha = max(alpha, 0.9 * max(0.0, outline))
    if alpha <= 0:
        return (0, 0, 0, 0)
    return (*blue_violet, int(240 * alpha * ink(x, y)))


if __name__ == "__main__":
    png("logo-placeholder.png", 400, 400, logo)
    png("signature-sample.png", 600, 200, signature)
    png("stamp-sample.png", 400, 400, stamp)
