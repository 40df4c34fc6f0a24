#!/usr/bin/env python3
"""Writes the torture book: a small book that uses every construct colophon accepts.

    gen_torture.py OUT_DIR

Nested lists (4 levels, ordered inside bullets), tables with every alignment and inline
markup in cells, notes inside lists, block quotes and tables, PNG/JPEG/GIF/SVG images
(their bytes written here, no image library needed), links across chapters and folders
with fragments, many scripts, raw HTML (spans with lang, a div with an id that another
chapter links to, entities, <br>), code, strikethrough, autolinks, hard breaks,
thematic breaks, headings of every level, figures with captions, prefix and suffix
chapters, part titles and nested SUMMARY entries. The output is always the same bytes.

Words that the PDF tests look for: "Quillwort" (inline chapter), "Marchpane" (tables),
"Zephyrine" (deep nesting).
"""

import os
import struct
import sys
import zlib

# --------------------------------------------------------------------------- images


def png_rgb8(width, height, pixel):
    """Returns a PNG (8 bits per channel, RGB) whose pixel(x, y) gives (r, g, b)."""
    raw = bytearray()
    for y in range(height):
        raw.append(0)  # filter type None
        for x in range(width):
            raw += bytes(pixel(x, y))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) +
            chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b""))


def gif_4colour(width, height, palette, pixel):
    """Returns a GIF89a with a 4-colour palette; pixel(x, y) gives the index 0..3.

    The LZW stream sends a clear code before every two pixel codes, so the decoder's
    table never grows past 3-bit codes: larger than real LZW, but simple and valid.
    """
    min_code = 2
    clear, end = 1 << min_code, (1 << min_code) + 1
    codes = []
    pixels = [pixel(x, y) for y in range(height) for x in range(width)]
    for i, p in enumerate(pixels):
        if i % 2 == 0:
            codes.append(clear)
        codes.append(p)
    codes.append(end)
    bits, nbits, data = 0, 0, bytearray()
    for c in codes:
        bits |= c << nbits
        nbits += 3
        while nbits >= 8:
            data.append(bits & 0xFF)
            bits >>= 8
            nbits -= 8
    if nbits:
        data.append(bits & 0xFF)
    blocks = bytearray()
    for i in range(0, len(data), 255):
        part = data[i:i + 255]
        blocks += bytes([len(part)]) + part
    blocks.append(0)
    header = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x81, 0, 0)  # 4-entry table
    table = b"".join(bytes(c) for c in palette)
    image = b"," + struct.pack("<HHHHB", 0, 0, width, height, 0)
    return header + table + image + bytes([min_code]) + bytes(blocks) + b";"


def jpeg_blocks(blocks_x, blocks_y, colour):
    """Returns a baseline JPEG of flat 8x8 blocks; colour(bx, by) gives (r, g, b).

    Each block is one colour, so only its DC coefficient is non-zero: the entropy data
    is a DC difference (standard luminance DC Huffman table) and an end-of-block code
    (a one-symbol AC table). Quantisation tables are all ones. YCbCr 4:4:4.
    """
    dc_bits = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]  # ITU T.81 Table K.3
    dc_vals = list(range(12))
    ac_bits = [1] + [0] * 15  # one code of length 1 ...
    ac_vals = [0x00]          # ... for EOB

    def canonical(bits, vals):
        table, code, k = {}, 0, 0
        for length in range(1, 17):
            for _ in range(bits[length - 1]):
                table[vals[k]] = (code, length)
                code += 1
                k += 1
            code <<= 1
        return table

    dc, ac = canonical(dc_bits, dc_vals), canonical(ac_bits, ac_vals)
    out = bytearray()
    acc, nacc = 0, 0

    def put(value, length):
        nonlocal acc, nacc
        for i in range(length - 1, -1, -1):
            acc = (acc << 1) | ((value >> i) & 1)
            nacc += 1
            if nacc == 8:
                out.append(acc)
                if acc == 0xFF:
                    out.append(0)  # byte stuffing
                acc, nacc = 0, 0

    pred = [0, 0, 0]
    for by in range(blocks_y):
        for bx in range(blocks_x):
            r, g, b = colour(bx, by)
            ycc = (0.299 * r + 0.587 * g + 0.114 * b,
                   128 - 0.168736 * r - 0.331264 * g + 0.5 * b,
                   128 + 0.5 * r - 0.418688 * g - 0.081312 * b)
            for comp in range(3):
                coef = int(round(8 * (ycc[comp] - 128)))  # DC of a flat block, Q = 1
                diff = coef - pred[comp]
                pred[comp] = coef
                size = abs(diff).bit_length()
                put(*dc[size])
                if size:
                    put(diff if diff >= 0 else diff + (1 << size) - 1, size)
                put(*ac[0x00])
    if nacc:
        put((1 << (8 - nacc)) - 1, 8 - nacc)  # pad with one bits

    def segment(marker, body):
        return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body

    width, height = blocks_x * 8, blocks_y * 8
    zigzag_ones = bytes([1] * 64)
    jfif = segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    dqt = segment(0xDB, b"\x00" + zigzag_ones)
    sof = segment(0xC0, struct.pack(">BHHB", 8, height, width, 3) +
                  b"\x01\x11\x00\x02\x11\x00\x03\x11\x00")
    dht = segment(0xC4, b"\x00" + bytes(dc_bits) + bytes(dc_vals) +
                  b"\x10" + bytes(ac_bits) + bytes(ac_vals))
    sos = segment(0xDA, b"\x03\x01\x00\x02\x00\x03\x00\x00\x3f\x00")
    return b"\xff\xd8" + jfif + dqt + sof + dht + sos + bytes(out) + b"\xff\xd9"


SVG = """<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60" viewBox="0 0 120 60">
  <title>Three shapes</title>
  <rect x="4" y="8" width="40" height="40" fill="#2a6f97"/>
  <circle cx="72" cy="28" r="20" fill="#e07a5f"/>
  <path d="M96 48 L116 48 L106 10 Z" fill="#3d405b"/>
</svg>
"""


def images():
    """Returns {relative path: bytes} for every image the book uses."""
    def gradient(x, y):
        return (x * 16, y * 16, 160)

    def cover(x, y):
        return (30 + y, 50 + x // 2, 90) if 20 < y < 70 else (240, 230, 200)

    palette = [(255, 255, 255), (200, 30, 30), (30, 120, 30), (20, 20, 120)]
    colours = [(200, 40, 40), (40, 160, 60), (40, 60, 200), (230, 200, 40)]
    return {
        "src/images/gradient.png": png_rgb8(16, 16, gradient),
        "src/images/cover.png": png_rgb8(60, 90, cover),
        "src/images/dot.png": png_rgb8(4, 4, lambda x, y: (20, 20, 20)),
        "src/images/checker.gif": gif_4colour(8, 8, palette, lambda x, y: 1 + (x // 2 + y // 2) % 3),
        "src/images/blocks.jpg": jpeg_blocks(4, 2, lambda bx, by: colours[(bx + by) % 4]),
        "src/images/shapes.svg": SVG.encode("utf-8"),
    }


# --------------------------------------------------------------------------- text

BOOK_TOML = """[book]
title = "The Torture Book"
subtitle = "Every Construct Once"
authors = ["Colophon Tests", "Ada Example"]
language = "en"
description = "A generated book that uses every construct colophon accepts."
publisher = "Colophon Test Press"
date = "2026-01-15"
rights = "Public domain"
subjects = ["Testing", "Typography"]
cover = "src/images/cover.png"

[output.epub]
toc-depth = 3
"""

SUMMARY = """# Summary

[Foreword](foreword.md)

# Part One: Text

- [Inline Constructs](inline.md)
    - [Headings of Every Level](headings.md)
- [Lists](lists.md)
- [Tables](tables.md)

---

# Part Two: Media, Scripts and Markup

- [Images and Figures](part2/images.md)
- [Scripts of the World](part2/scripts.md)
- [Raw HTML](part2/raw-html.md)
    - [Code](part2/code.md)
        - [Deep Nesting](part2/deep.md)

[Afterword](afterword.md)
"""

FOREWORD = """# Foreword

This prefix chapter has no number. It says what the book is for: exercising every
construct of the reader and both writers.[^why]

[^why]: A note in a prefix chapter, which still counts in the continuous numbering.
"""

INLINE = """# Inline Constructs

Plain text with *emphasis*, **strong**, ***both at once***, `inline code`,
~~strikethrough~~, and _underscore emphasis_ inside a sentence about Quillwort.
"Smart quotes", 'single ones', an en dash -- an em dash --- and an ellipsis...

## Links

An [external link](https://example.org/path?query=1&b=2 "with a title"), an
autolink <https://example.org/autolink>, a bare GFM autolink https://www.example.com/bare,
and an e-mail autolink <author@example.org>.

Within the book: [the lists chapter](lists.md), [its nested section](lists.md#nested-lists),
[a section here](#hard-breaks), [a figure in another folder](part2/images.md#figures),
[a div defined in raw HTML](part2/raw-html.md#special-box), and
[the second Summary heading](tables.md#summary), whose id had to be made unique.

An inline image ![a small dot](images/dot.png) sits inside this sentence.

## Hard breaks

A line ending in two spaces  
breaks here, and a line ending in a backslash\\
breaks here too.
A soft break only joins the lines.

## Summary

Emphasis, links and breaks are the inline constructs.[^inline]

[^inline]: The inline chapter's note, with `code` and *emphasis* in it.
"""

HEADINGS = """# Headings of Every Level

Text under the chapter title.

## Level Two

### Level Three

#### Level Four

##### Level Five

###### Level Six

Text under the sixth level.

Setext Level Two
----------------

## Repeated

The first heading called Repeated.

## Repeated

The second one: the two ids must differ.

## A *Styled* Heading with `code`

Headings may hold inline markup.
"""

LISTS = """# Lists

## Nested lists

- Level one, a bullet
    1. Level two, ordered inside a bullet
        - Level three, a bullet again
            1. Level four, ordered
            2. Level four, second item
        - Level three, second item
    2. Level two, second item
- Level one, second item with a note[^listnote]
    * Another bullet marker
        + And a third

## Ordered lists

7. A list that starts at seven
8. and goes on to eight,
9. then nine.

## A loose list

- The first item of a loose list.

  It has a second paragraph.

- The second item holds a quote and code:

  > Quoted inside a list item.[^quotedlist]

  ```
  code inside a list item
  ```

- The third item.

## Summary

Lists nest four levels deep and carry notes.

[^listnote]: A note referenced from a list item.

[^quotedlist]: A note referenced from a block quote inside a list item.
"""

TABLES = """# Tables

## Every alignment

| Default | Left | Centre | Right |
|---------|:-----|:------:|------:|
| plain | *emphasis* | **strong** | 1 |
| `code` | [a link](lists.md#ordered-lists) | ~~struck~~ | 22 |
| Marchpane | a note[^cellnote] | a \\| pipe | 333 |
| | empty first cell | Ωμέγα | 4,444 |

## A narrow table

| Term | Meaning |
|:----:|:--------|
| EPUB | the e-book format |
| PDF | the page format |

## Summary

A second heading called Summary: its id is not the same as the inline chapter's.

[^cellnote]: A note referenced from a table cell.
"""

IMAGES = """# Images and Figures

## Figures

![A gradient, drawn as an 8-bit PNG](../images/gradient.png)

![Coloured blocks, a baseline JPEG](../images/blocks.jpg)

![A checkerboard, a GIF](../images/checker.gif)

![Three shapes, an SVG](../images/shapes.svg)

## Again

The same PNG used a second time is packed once:

![The gradient once more](../images/gradient.png "A title on the image")

Back to [the inline chapter's links](../inline.md#links), and to
[the start of the tables chapter](../tables.md).
"""

SCRIPTS = """# Scripts of the World

## Latin with diacritics

Français : « déjà vu », naïveté, cœur. Deutsch: Größe, Übermaß. Polski: zażółć gęślą jaźń.
Tiếng Việt: Việt Nam. Čeština: příliš žluťoučký kůň. Íslenska: þorn og eð.

## Cyrillic

<span lang="ru">Съешь же ещё этих мягких французских булок, да выпей чаю.</span>

## Greek

<span lang="el">Ξεσκεπάζω την ψυχοφθόρα βδελυγμία. Ἐν ἀρχῇ ἦν ὁ λόγος.</span>

## Hebrew and Arabic

<span lang="he" dir="rtl">שלום עולם</span> and <span lang="ar" dir="rtl">مرحبا بالعالم</span>
sit in a left-to-right sentence.

## Chinese, Japanese, Korean

<span lang="zh">你好，世界。</span> <span lang="ja">こんにちは、世界。</span>
<span lang="ko">안녕하세요, 세계.</span>

## Symbols and emoji

Arrows → ⇒, maths ∑ ∞ ≠ ½, currency € £ ¥, and emoji 📚 ✒️ 🎉.
"""

RAW_HTML = """# Raw HTML

<div id="special-box" class="box">
<p>A box written in raw HTML, with an id that the inline chapter links to.</p>
</div>

Entities: non&nbsp;breaking, an&mdash;dash, caf&eacute;, &copy; 2026, &lt;tag&gt;, &amp;.

Inline markup: <span lang="fr">bonjour</span>, <abbr title="Electronic Publication">EPUB</abbr>,
H<sub>2</sub>O, x<sup>2</sup>, <kbd>Ctrl</kbd>, and a break<br>inside a line.

<div class="aside">

Markdown *inside* a div that opens and closes in separate blocks.

</div>

<hr>

After a raw rule.
"""

CODE = """# Code

```python
def greet(name: str) -> str:
    \"\"\"Says hello & means it: <b>not bold</b>.\"\"\"
    return f"Hello, {name}!"
```

~~~
A fence of tildes, with ``` inside it.
~~~

    An indented code block,
        with deeper indentation kept.

```c
/* A long line that a narrow page must wrap with a visible mark, never clip: ------------------------------------------------ */
int main(void) { return 0; }
```

Inline code with a backtick: `` a ` b ``.
"""

DEEP = """# Deep Nesting

> A block quote, level one, about Zephyrine.[^deepnote]
>
> > Level two.
> >
> > > Level three, with a list:
> > >
> > > - one
> > > - two[^deepnote]

***

- A list holding a quote:

  > Quoted.
  >
  > 1. numbered inside the quote
  > 2. and again

---

___

##### A fifth-level heading after three rules

[^deepnote]: A note referenced twice, with two paragraphs.

    The second paragraph of the note, and a list:

    - first
    - second
"""

AFTERWORD = """# Afterword

A suffix chapter, after the numbered ones. Back to the [foreword](foreword.md).
"""


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gen_torture.py OUT_DIR")
    root = sys.argv[1]
    files = {
        "book.toml": BOOK_TOML,
        "src/SUMMARY.md": SUMMARY,
        "src/foreword.md": FOREWORD,
        "src/inline.md": INLINE,
        "src/headings.md": HEADINGS,
        "src/lists.md": LISTS,
        "src/tables.md": TABLES,
        "src/part2/images.md": IMAGES,
        "src/part2/scripts.md": SCRIPTS,
        "src/part2/raw-html.md": RAW_HTML,
        "src/part2/code.md": CODE,
        "src/part2/deep.md": DEEP,
        "src/afterword.md": AFTERWORD,
    }
    blobs = {k: v.encode("utf-8") for k, v in files.items()}
    blobs.update(images())
    for rel, data in blobs.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
