#!/usr/bin/env python3
"""Draws book/src/images/spread.png: a two-page spread showing the text blocks,
the narrower inner margins, running heads, folios and a footnote under its rule.

The PNG is written by hand (8-bit RGB, one IDAT, filter 0) so that it needs nothing
but the standard library, and the same script always gives the same bytes.
Run from anywhere: python3 book/scripts/spread.py
"""
import os
import struct
import zlib

WIDTH, HEIGHT = 640, 420

BACKGROUND = (236, 232, 224)
PAPER = (255, 255, 253)
PAPER_EDGE = (190, 184, 172)
SHADOW = (214, 208, 198)
MARGIN_TINT = (226, 236, 246)
TEXT = (118, 118, 118)
HEAD = (150, 150, 150)
NOTE = (150, 150, 150)
RULE = (120, 120, 120)
GUIDE = (70, 120, 190)

pixels = [[BACKGROUND] * WIDTH for _ in range(HEIGHT)]


def rect(x0, y0, x1, y1, colour):
    for y in range(max(0, y0), min(HEIGHT, y1)):
        row = pixels[y]
        for x in range(max(0, x0), min(WIDTH, x1)):
            row[x] = colour


def frame(x0, y0, x1, y1, colour):
    rect(x0, y0, x1, y0 + 1, colour)
    rect(x0, y1 - 1, x1, y1, colour)
    rect(x0, y0, x0 + 1, y1, colour)
    rect(x1 - 1, y0, x1, y1, colour)


def dashed_vertical(x, y0, y1, colour):
    for y in range(y0, y1):
        if (y // 4) % 2 == 0:
            rect(x, y, x + 1, y + 1, colour)


def dashed_horizontal(y, x0, x1, colour):
    for x in range(x0, x1):
        if (x // 4) % 2 == 0:
            rect(x, y, x + 1, y + 1, colour)


# Page geometry, in pixels. Each page is 280 x 380 (about the proportions of A5);
# the inner margin (at the spine) is narrower than the outer one.
PAGE_W, PAGE_H = 280, 380
TOP = 20
LEFT_PAGE_X = 40
RIGHT_PAGE_X = LEFT_PAGE_X + PAGE_W
MARGIN_TOP, MARGIN_BOTTOM = 40, 46
MARGIN_INNER, MARGIN_OUTER = 24, 50
LINE_PITCH = 8          # baseline to baseline
LINE_THICKNESS = 3
WORD_GAP = 4

# Pseudo-random but fixed word lengths, so lines look like text.
seed = 7


def next_word_length():
    global seed
    seed = (seed * 1103515245 + 12345) % (2 ** 31)
    return 6 + (seed >> 16) % 26


def text_line(x0, x1, y, colour, thickness=LINE_THICKNESS, ragged=False):
    """Draws one justified (or, if ragged, shorter) line of word-shaped bars."""
    end = x1 - (next_word_length() * 3 if ragged else 0)
    x = x0
    while x < end:
        w = next_word_length()
        if end - x - w < 8:  # the last word fills the line exactly
            w = end - x
        rect(x, y, x + w, y + thickness, colour)
        x += w + WORD_GAP


def page(px, left_hand, footnote_lines):
    # Shadow, paper and edge.
    rect(px + 3, TOP + 3, px + PAGE_W + 3, TOP + PAGE_H + 3, SHADOW)
    rect(px, TOP, px + PAGE_W, TOP + PAGE_H, PAPER)
    frame(px, TOP, px + PAGE_W, TOP + PAGE_H, PAPER_EDGE)
    inner, outer = MARGIN_INNER, MARGIN_OUTER
    x0 = px + (outer if left_hand else inner)
    x1 = px + PAGE_W - (inner if left_hand else outer)
    y0 = TOP + MARGIN_TOP
    y1 = TOP + PAGE_H - MARGIN_BOTTOM
    # The margins, tinted, so the text block stands out.
    rect(px + 1, TOP + 1, px + PAGE_W - 1, y0, MARGIN_TINT)
    rect(px + 1, y1, px + PAGE_W - 1, TOP + PAGE_H - 1, MARGIN_TINT)
    rect(px + 1, y0, x0, y1, MARGIN_TINT)
    rect(x1, y0, px + PAGE_W - 1, y1, MARGIN_TINT)
    # Guides along the text block.
    dashed_vertical(x0 - 1, TOP + 4, TOP + PAGE_H - 4, GUIDE)
    dashed_vertical(x1, TOP + 4, TOP + PAGE_H - 4, GUIDE)
    dashed_horizontal(y0 - 1, px + 4, px + PAGE_W - 4, GUIDE)
    dashed_horizontal(y1, px + 4, px + PAGE_W - 4, GUIDE)
    # Running head: book title on the left page, chapter title on the right.
    head_w = 70 if left_hand else 96
    hx = x0 if left_hand else x1 - head_w
    rect(hx, y0 - 20, hx + head_w, y0 - 17, HEAD)
    # Body text, leaving room for notes at the foot.
    note_space = footnote_lines * 6 + 18 if footnote_lines else 0
    y = y0 + 4
    lines = 0
    while y + LINE_THICKNESS <= y1 - note_space:
        lines += 1
        # Every ninth line ends a paragraph; the next one starts with an indent.
        if lines % 9 == 0:
            text_line(x0, x1, y, TEXT, ragged=True)
        elif lines % 9 == 1 and lines > 1:
            text_line(x0 + 12, x1, y, TEXT)
        else:
            text_line(x0, x1, y, TEXT)
        y += LINE_PITCH
    # Footnotes: a short rule, then smaller lines.
    if footnote_lines:
        ny = y1 - footnote_lines * 6 - 1
        rect(x0, ny - 7, x0 + 48, ny - 6, RULE)
        for i in range(footnote_lines):
            text_line(x0, x1, ny + i * 6, NOTE, thickness=2,
                      ragged=(i == footnote_lines - 1))
    # Folio at the outer corner of the foot.
    fx = x0 if left_hand else x1 - 10
    rect(fx, y1 + 18, fx + 10, y1 + 22, HEAD)


page(LEFT_PAGE_X, True, 3)
page(RIGHT_PAGE_X, False, 0)
# The spine: a darker line where the pages meet.
rect(RIGHT_PAGE_X - 1, TOP, RIGHT_PAGE_X + 1, TOP + PAGE_H, PAPER_EDGE)


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


raw = bytearray()
for row in pixels:
    raw.append(0)  # filter type 0: none
    for r, g, b in row:
        raw += bytes((r, g, b))

png = b"\x89PNG\r\n\x1a\n"
png += chunk(b"IHDR", struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 2, 0, 0, 0))
png += chunk(b"IDAT", zlib.compress(bytes(raw), 9))
png += chunk(b"IEND", b"")

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "images",
                   "spread.png")
with open(out, "wb") as f:
    f.write(png)
print(f"wrote {os.path.normpath(out)}: {WIDTH}x{HEIGHT}, {len(png)} bytes")
