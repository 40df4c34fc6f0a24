// The PDF style: page size, margins, fonts, sizes, leading, indents (styles/pdf.toml,
// overridable per book).
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/diagnostics.h"
#include "layout/metrics.h"
#include "model/model.h"

namespace colophon {

// Everything about the look of the PDF. Lengths are in PostScript points.
struct Style {
  double page_width = 419.53;   // points (A5)
  double page_height = 595.28;
  double margin_top = 56, margin_bottom = 64, margin_inner = 50, margin_outer = 56;
  double font_size = 10.5;      // body text, points
  double leading = 13.5;        // baseline to baseline, points
  FontSet fonts;

  // Added by the layout engine (the fields above are the contract with tools/pdf).
  double footnote_size = 8.5;       // footnote text size
  double footnote_leading = 10.5;   // footnote baseline to baseline
  std::array<double, 6> heading_sizes = {17, 13.5, 11.5, 10.5, 10.5, 10.5};  // h1..h6
  double code_size = 8.5;           // code blocks and inline code
  double code_leading = 11;         // code block baseline to baseline
  double quote_size = 9.5;          // block quotes
  double running_head_size = 8.5;   // running heads
  double folio_size = 9;            // page numbers
  double paragraph_indent = 12;     // first-line indent of paragraphs
  bool justify = true;              // false: ragged right
  bool hyphenate = true;            // break words with the language's dictionary
  bool two_sided = true;            // inner/outer margins swap; blank versos allowed
  bool chapter_recto = true;        // chapters (and parts) start on a right-hand page
  int widows = 2;                   // minimum lines of a paragraph at the top of a page
  int orphans = 2;                  // minimum lines of a paragraph at the foot of a page
  int max_consecutive_hyphens = 2;  // hard limit of hyphenated lines in a row

  // The cover colophon makes when the book names none (tools/cover), as 0xRRGGBB.
  uint32_t cover_background = 0x1d2b3a;  // the whole cover
  uint32_t cover_text = 0xf5efe0;        // title, subtitle and authors
  uint32_t cover_accent = 0xc8a45a;      // the rule under the title and the frame

  // Where the page size was set (a style file's trim, or book.toml's), for messages
  // about it; empty when it is the built-in style's.
  std::string trim_file;
  SourcePos trim_pos;
};

// Returns the Debian package that ships the font file PATH, judged by its name (Noto
// Serif -> fonts-noto-core, DejaVu Sans Mono -> fonts-dejavu-core, its obliques ->
// fonts-dejavu-extra, Noto Sans Mono -> fonts-noto-mono), or "" when unknown.
std::string debian_font_package(std::string_view path);

// Returns the hint for a font file PATH that cannot be loaded, set by style key KEY
// ("fonts.mono.italic"): the package to install, and the key to set instead.
std::string missing_font_hint(std::string_view path, std::string_view key);

// Loads the built-in style (styles/pdf.toml), then the book's own style file and
// [output.pdf] overrides; reports bad keys and values at their line.
Style load_style(const Book& book, Diagnostics& diag);

// Returns the tables of the PDF style file and their keys ("style" for its top, then
// "style.margins" ...), in the order the guide lists them: the style reader takes only
// these.
const std::vector<KeyTable>& style_key_tables();

// Applies the style TOML in TEXT (shown as FILE in messages) on top of STYLE; reports
// syntax errors and bad values as errors and unknown keys as warnings. Returns false
// when TEXT could not be parsed at all.
bool apply_style_toml(std::string_view text, const std::string& file, Style& style,
                      Diagnostics& diag);

// Parses a trim size ("a5", "a4", "letter", "6x9in", "150x220mm", "400x600pt") into
// WIDTH and HEIGHT in points; returns false when the text is not a trim size.
bool parse_trim(std::string_view text, double& width, double& height);

// Returns what is wrong with the trim size TEXT, worded to follow it ("is larger than
// 200 inches on a side"), or "" when parse_trim takes it (and sets WIDTH and HEIGHT).
std::string trim_problem(std::string_view text, double& width, double& height);

// Returns the hint of every trim-size error, in book.toml and in a style file alike: the
// sizes by name and the forms and range of the others.
const std::string& trim_hint();

// Parses a length ("0.125in", "3mm", "0.3cm", "9pt" or a bare number of points) into
// points; nullopt when TEXT is not one.
std::optional<double> parse_length(std::string_view text);

// Returns the inside (gutter) margin in points KDP asks of a printed book of PAGES pages.
double kdp_inside_margin(size_t pages);

}  // namespace colophon
