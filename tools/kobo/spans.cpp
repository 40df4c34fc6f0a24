#include "kobo/spans.h"

#include <string>
#include <string_view>

#include "kobo/sentences.h"

namespace colophon {

namespace {

// The style Kobo's reader expects with its wrapper divs: they add no margins of their own.
constexpr std::string_view kKoboStyle =
    "<style type=\"text/css\">div#book-inner { margin-top: 0; margin-bottom: 0; }</style>\n";

// Tells whether TEXT is only white space (what stands between elements).
bool blank(std::string_view text) {
  for (char c : text)
    if (c != ' ' && c != '\n' && c != '\t' && c != '\r') return false;
  return true;
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
  void text(std::string& out, std::string_view text, std::string_view language,
            std::span<const Insert> inserts) override {
    if (blank(text)) {
      append_text(out, text, 0, inserts);
      return;
    }
    size_t start = 0;
    for (size_t end : splitter_.ends(text, language)) {
      std::string_view sentence = text.substr(start, end - start);
      // A page break of the print edition goes inside the sentence's span.
      if (blank(sentence)) {
        append_text(out, sentence, start, inserts);
      } else {
        open_span(out);
        append_text(out, sentence, start, inserts);
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

 private:
  // Opens the next span of the current block.
  void open_span(std::string& out) {
    if (block_ == 0) block();
    out += "<span class=\"koboSpan\" id=\"kobo.";
    out += std::to_string(block_);
    out += '.';
    out += std::to_string(++span_);
    out += "\">";
  }

  SentenceSplitter splitter_;
  int block_ = 0;  // blocks begun in this document
  int span_ = 0;   // spans written in the current block
};

}  // namespace

std::unique_ptr<TextMarkup> make_kobo_markup() { return std::make_unique<KoboMarkup>(); }

}  // namespace colophon
