#include "kobo/spans.h"

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "core/work.h"
#include "kobo/sentences.h"

namespace colophon {

namespace {

// The style Kobo's reader expects with its wrapper divs: they add no margins of their own.
constexpr std::string_view kKoboStyle =
    "<style type=\"text/css\">div#book-inner { margin-top: 0; margin-bottom: 0; }</style>\n";

// Elements of raw HTML whose text gets no spans: code keeps its text as written, SVG
// and MathML allow no XHTML span, and the rest hold text only.
constexpr std::array<std::string_view, 9> kNoSpanElements = {
    "pre", "code", "svg", "math", "script", "style", "textarea", "option", "title"};

// Tells whether TEXT is only white space (what stands between elements).
bool blank(std::string_view text) {
  for (char c : text)
    if (c != ' ' && c != '\n' && c != '\t' && c != '\r') return false;
  return true;
}

// Returns the element name of the tag TAG ("<p class=x>", "</p>", "<img/>"), in lower case.
std::string tag_name(std::string_view tag) {
  size_t i = 1;
  if (i < tag.size() && tag[i] == '/') ++i;
  std::string name;
  for (; i < tag.size(); ++i) {
    char c = tag[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '/' || c == '>') break;
    name += c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return name;
}

// Appends to PLAIN the character data of escaped XML TEXT (the five entities and
// character references decoded), recording in AT, for every byte of PLAIN, the offset in
// TEXT of what it came from.
void decode_text(std::string_view text, std::string& plain, std::vector<size_t>& at) {
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '&') {
      size_t semi = text.find(';', i);
      if (semi != std::string_view::npos && semi - i <= 10) {
        std::string_view name = text.substr(i + 1, semi - i - 1);
        std::string decoded;
        if (name == "amp") decoded = "&";
        else if (name == "lt") decoded = "<";
        else if (name == "gt") decoded = ">";
        else if (name == "quot") decoded = "\"";
        else if (name == "apos") decoded = "'";
        else if (name.size() > 1 && name[0] == '#') {
          bool hex = name[1] == 'x' || name[1] == 'X';
          unsigned long code = 0;
          try {
            code = std::stoul(std::string(name.substr(hex ? 2 : 1)), nullptr, hex ? 16 : 10);
          } catch (const std::exception&) {
            code = 0;
          }
          if (code > 0 && code <= 0x10FFFF) {  // encoded as UTF-8
            if (code < 0x80) {
              decoded += static_cast<char>(code);
            } else if (code < 0x800) {
              decoded += static_cast<char>(0xC0 | (code >> 6));
              decoded += static_cast<char>(0x80 | (code & 0x3F));
            } else if (code < 0x10000) {
              decoded += static_cast<char>(0xE0 | (code >> 12));
              decoded += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
              decoded += static_cast<char>(0x80 | (code & 0x3F));
            } else {
              decoded += static_cast<char>(0xF0 | (code >> 18));
              decoded += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
              decoded += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
              decoded += static_cast<char>(0x80 | (code & 0x3F));
            }
          }
        }
        if (!decoded.empty()) {
          plain += decoded;
          at.insert(at.end(), decoded.size(), i);
          i = semi + 1;
          continue;
        }
      }
    }
    plain += text[i];
    at.push_back(i);
    ++i;
  }
}

// Writes Kobo's spans around the sentences and images of one content document.
class KoboMarkup : public TextMarkup {
 public:
  void head(std::string& out) override { out += kKoboStyle; }
  void body_start(std::string& out) override {
    out += "<div id=\"book-columns\">\n<div id=\"book-inner\">\n";
  }
  void body_end(std::string& out) override { out += "</div>\n</div>\n"; }
  void block() override {
    ++block_;
    span_ = 0;
  }
  void text(std::string& out, std::string_view text, std::string_view language) override {
    if (blank(text)) {
      append_text(out, text);
      return;
    }
    size_t start = 0;
    for (size_t end : splitter_.ends(text, language)) {
      std::string_view sentence = text.substr(start, end - start);
      if (blank(sentence)) {
        append_text(out, sentence);
      } else {
        open_span(out);
        append_text(out, sentence);
        out += "</span>";
      }
      start = end;
    }
  }
  void image(std::string& out, std::string_view img) override {
    open_span(out);
    out += img;
    out += "</span>";
  }
  void raw(std::string& out, std::string_view xhtml, std::string_view language) override {
    work::add(xhtml.size());
    int quiet = 0;  // depth inside elements whose text gets no spans
    for (size_t i = 0; i < xhtml.size();) {
      if (xhtml[i] != '<') {
        size_t end = std::min(xhtml.find('<', i), xhtml.size());
        std::string_view run = xhtml.substr(i, end - i);
        if (quiet > 0 || blank(run)) {
          out += run;
        } else {
          raw_text(out, run, language);
        }
        i = end;
        continue;
      }
      // Comments, CDATA sections and processing instructions go through as they are.
      std::string_view close = ">";
      if (xhtml.substr(i, 4) == "<!--") close = "-->";
      else if (xhtml.substr(i, 9) == "<![CDATA[") close = "]]>";
      else if (xhtml.substr(i, 2) == "<?") close = "?>";
      size_t end;
      if (close == ">") {  // a tag: a '>' inside a quoted attribute value does not end it
        char quote = 0;
        end = i + 1;
        for (; end < xhtml.size(); ++end) {
          char c = xhtml[end];
          if (quote != 0) {
            if (c == quote) quote = 0;
          } else if (c == '"' || c == '\'') {
            quote = c;
          } else if (c == '>') {
            break;
          }
        }
        end = std::min(end + 1, xhtml.size());
      } else {
        end = xhtml.find(close, i);
        end = end == std::string_view::npos ? xhtml.size() : end + close.size();
      }
      std::string_view tag = xhtml.substr(i, end - i);
      i = end;
      if (close != ">") {
        out += tag;
        continue;
      }
      std::string name = tag_name(tag);
      bool closing = tag.size() > 1 && tag[1] == '/';
      bool empty = tag.size() > 2 && tag[tag.size() - 2] == '/';
      bool no_spans = false;
      for (std::string_view n : kNoSpanElements) no_spans = no_spans || n == name;
      if (name == "img" && quiet == 0) {
        image(out, tag);
      } else {
        out += tag;
      }
      if (no_spans && !empty) quiet += closing ? -1 : 1;
      if (quiet < 0) quiet = 0;
      if (!closing && !empty && is_block_name(name)) block();
    }
  }

 private:
  // Tells whether raw HTML element NAME starts a new block of text.
  static bool is_block_name(std::string_view name) {
    static constexpr std::array<std::string_view, 18> kBlocks = {
        "p",  "div", "li", "td",         "th",     "dt",      "dd",     "h1",     "h2",
        "h3", "h4",  "h5", "h6",         "figure", "caption", "aside",  "section", "blockquote"};
    for (std::string_view b : kBlocks)
      if (b == name) return true;
    return false;
  }

  // Opens the next span of the current block.
  void open_span(std::string& out) {
    if (block_ == 0) block();
    out += "<span class=\"koboSpan\" id=\"kobo.";
    out += std::to_string(block_);
    out += '.';
    out += std::to_string(++span_);
    out += "\">";
  }

  // Writes a run of raw XHTML character data RUN (escaped already) as sentences in spans.
  void raw_text(std::string& out, std::string_view run, std::string_view language) {
    std::string plain;
    std::vector<size_t> at;
    decode_text(run, plain, at);
    size_t start = 0;
    for (size_t end : splitter_.ends(plain, language)) {
      size_t from = at[start];
      size_t to = end < at.size() ? at[end] : run.size();
      std::string_view piece = run.substr(from, to - from);
      if (blank(piece)) {
        out += piece;
      } else {
        open_span(out);
        out += piece;
        out += "</span>";
      }
      start = end;
    }
  }

  SentenceSplitter splitter_;
  int block_ = 0;  // blocks begun in this document
  int span_ = 0;   // spans written in the current block
};

}  // namespace

std::unique_ptr<TextMarkup> make_kobo_markup() { return std::make_unique<KoboMarkup>(); }

}  // namespace colophon
