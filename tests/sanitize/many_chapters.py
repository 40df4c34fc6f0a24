#!/usr/bin/env python3
"""Writes a generated book for the ThreadSanitizer run (tests/sanitize/README.md).

    many_chapters.py DIR [CHAPTERS]

The book has many chapters (the reader parses them on several threads), footnotes and
cross-chapter links in each, PNG images (the PDF writer compresses them on a worker
thread) and, in every chapter, a few things that draw warnings from the reader, the link
pass and the layout engine, so that diagnostics arrive from several threads while the
EPUB and the PDF are written at once. It builds with exit 0 (warnings only).
"""
import os
import struct
import sys
import zlib

DEFAULT_CHAPTERS = 60
IMAGE_SIDE_PX = 48       # each test image is a square of this many pixels
IMAGES = 6               # distinct PNG files, shared round-robin by the chapters


def png(seed):
    """Returns the bytes of a small RGB PNG whose pixels depend on seed."""
    rows = bytearray()
    for y in range(IMAGE_SIDE_PX):
        rows.append(0)  # filter type None
        for x in range(IMAGE_SIDE_PX):
            rows += bytes(((x * 5 + seed * 40) & 255, (y * 5) & 255, ((x ^ y) + seed) & 255))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", IMAGE_SIDE_PX, IMAGE_SIDE_PX, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(bytes(rows))) + chunk(b"IEND", b""))


def chapter(i, count):
    nxt = (i + 1) % count
    prev = (i - 1) % count
    word = "long" * 30  # wider than the measure: a layout warning per chapter
    return f"""# Chapter {i}: the {i}th part

A paragraph that cites a note[^a{i}] and another one[^b{i}], then links to
[the next chapter](ch{nxt:03}.md) and to [a section of the previous
one](ch{prev:03}.md#a-section-of-chapter-{prev}). An [empty link]() is written as text.

![Figure {i}, a generated image](images/fig{i % IMAGES}.png)

## A section of chapter {i}

| Column | Value |
|--------|------:|
| chapter | {i} |
| notes | 2 |

> A quotation with *emphasis*, **strong text** and `code`, long enough to be broken
> over more than one line in the PDF so that the line breaker has some work to do.

1. First item with a note.[^c{i}]
2. Second item: {word}

<div class="aside">Raw HTML in chapter {i}.</div>

[^a{i}]: The first note of chapter {i}, with a [link back](ch{prev:03}.md).

[^b{i}]: The second note of chapter {i}.

[^c{i}]: A note in a list item.
"""


def write_book(root, count):
    os.makedirs(os.path.join(root, "src", "images"), exist_ok=True)
    with open(os.path.join(root, "book.toml"), "w", encoding="utf-8") as f:
        f.write('[book]\ntitle = "Many Chapters"\nauthors = ["Test"]\nlanguage = "en"\n'
                '\n[output.epub]\nnotes = "chapter"\n\n[output.pdf]\nnotes = "footnotes"\n')
    for k in range(IMAGES):
        with open(os.path.join(root, "src", "images", "fig%d.png" % k), "wb") as f:
            f.write(png(k))
    lines = ["# Summary\n\n"]
    for i in range(count):
        lines.append(f"- [Chapter {i}](ch{i:03}.md)\n")
        with open(os.path.join(root, "src", f"ch{i:03}.md"), "w", encoding="utf-8") as f:
            f.write(chapter(i, count))
    with open(os.path.join(root, "src", "SUMMARY.md"), "w", encoding="utf-8") as f:
        f.write("".join(lines))


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    write_book(sys.argv[1], int(sys.argv[2]) if len(sys.argv) == 3 else DEFAULT_CHAPTERS)


if __name__ == "__main__":
    main()
