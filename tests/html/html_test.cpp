// Unit tests of tools/html: every repair, every removal, every error at its line:col.
#include <doctest/doctest.h>

#include <tinyxml2.h>

#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "core/text.h"
#include "html/html.h"
#include "html/svg.h"

using namespace colophon;

namespace {

// Repairs RAW as if it started at line 10, column 3 of "src/a.md".
struct Run {
  Diagnostics diag;
  HtmlFragment f;
  explicit Run(std::string_view raw, SourcePos pos = {10, 3}) {
    f = repair_html(raw, "src/a.md", pos, diag);
  }
  size_t errors() const { return diag.count(Severity::Error); }
  size_t warnings() const { return diag.count(Severity::Warning); }
  // Returns the first diagnostic as "line:col: message".
  std::string first() const {
    auto all = diag.all();
    if (all.empty()) return "(none)";
    return std::to_string(all[0].pos.line) + ":" + std::to_string(all[0].pos.col) + ": " +
           all[0].message;
  }
};

}  // namespace

TEST_CASE("well-formed HTML passes through unchanged") {
  Run r("<div id=\"x\" class=\"section\">\n<p>Hi <em>there</em></p>\n</div>");
  CHECK(r.f.xhtml == "<div id=\"x\" class=\"section\">\n<p>Hi <em>there</em></p>\n</div>");
  CHECK(r.errors() == 0);
  CHECK(r.warnings() == 0);
  REQUIRE(r.f.ids.size() == 1);
  CHECK(r.f.ids[0] == "x");
  CHECK(r.f.id_pos[0].line == 10);
  CHECK(r.f.id_pos[0].col == 8);
  REQUIRE(r.f.tags.size() == 6);
  CHECK(r.f.tags[0].name == "div");
  CHECK(r.f.tags[0].open);
  CHECK(r.f.tags[1].name == "p");
  CHECK(r.f.tags[1].pos.line == 11);
  CHECK(r.f.tags[1].pos.col == 1);
  CHECK_FALSE(r.f.tags[5].open);
  CHECK(r.f.tags[5].pos.line == 12);
  CHECK(std::string(trim(r.f.text)) == "Hi there");
}

TEST_CASE("names are lower-cased, values quoted, void elements self-closed") {
  Run r("<DIV CLASS=note Title='a \"b\"'>x<BR>y<hr><img src=a.png alt=A></DIV>");
  CHECK(r.f.xhtml ==
        "<div class=\"note\" title=\"a &quot;b&quot;\">x<br/>y<hr/><img src=\"a.png\" "
        "alt=\"A\"/></div>");
  CHECK(r.errors() == 0);
  CHECK(r.f.tags.size() == 2);  // void elements are not listed
  CHECK(r.f.text == "x\ny\n");
}

TEST_CASE("boolean attributes get a value; lang gets xml:lang") {
  Run r("<p hidden lang=ru>x</p><ol reversed start=3><li>a</li></ol>");
  CHECK(r.f.xhtml ==
        "<p hidden=\"hidden\" lang=\"ru\" xml:lang=\"ru\">x</p><ol reversed=\"reversed\" "
        "start=\"3\"><li>a</li></ol>");
  CHECK(r.errors() == 0);
}

TEST_CASE("a stray </br> becomes <br/>, other void end tags vanish") {
  Run r("a</br>b</img>c");
  CHECK(r.f.xhtml == "a<br/>bc");
  CHECK(r.errors() == 0);
}

TEST_CASE("a self-closed non-void element becomes an empty element and is not listed") {
  Run r("<div id=\"anchor\"/>");
  CHECK(r.f.xhtml == "<div id=\"anchor\"></div>");
  CHECK(r.f.tags.empty());
  CHECK(r.f.ids.size() == 1);
}

TEST_CASE("comments are dropped but keep their line breaks") {
  Run r("a<!-- one\ntwo\n-->b");
  CHECK(r.f.xhtml == "a\n\nb");
  CHECK(r.errors() == 0);
}

TEST_CASE("an unclosed comment is an error at its start") {
  Run r("ab\n  <!-- never closed");
  CHECK(r.first() == "11:3: comment is not closed");
}

TEST_CASE("named, numeric and XML entities") {
  Run r("&mdash;&hellip;&nbsp;&#8212;&#x2014;&amp;&lt;&gt;&quot;&apos;&check;&eacute;");
  CHECK(r.f.xhtml == "\u2014\u2026\u00a0\u2014\u2014&amp;&lt;&gt;\"'\u2713\u00e9");
  CHECK(r.f.text == "\u2014\u2026\u00a0\u2014\u2014&<>\"'\u2713\u00e9");
  CHECK(r.errors() == 0);
  CHECK(r.warnings() == 0);
}

TEST_CASE("entities in attribute values are decoded and re-escaped") {
  Run r("<a href=\"x.md?a=1&amp;b=2\" title=\"&quot;q&quot; &lt;\">x</a>");
  CHECK(r.f.xhtml == "<a href=\"x.md?a=1&amp;b=2\" title=\"&quot;q&quot; &lt;\">x</a>");
  REQUIRE(r.f.urls.size() == 1);
  CHECK(r.f.urls[0].value == "x.md?a=1&b=2");
  CHECK(r.f.urls[0].attribute == "href");
}

TEST_CASE("bare ampersands and stray angle brackets are escaped") {
  Run r("AT&T & co < 3 > 2 &#; <> </ x");
  CHECK(r.f.xhtml == "AT&amp;T &amp; co &lt; 3 &gt; 2 &amp;#; &lt;&gt; &lt;/ x");
  CHECK(r.errors() == 0);
  CHECK(r.warnings() == 0);
}

TEST_CASE("a known entity without ';' is kept as text with a warning") {
  Run r("&copy 2020");
  CHECK(r.f.xhtml == "&amp;copy 2020");
  CHECK(r.warnings() == 1);
  CHECK(r.first() == "10:3: '&copy' without ';' is kept as text");
}

TEST_CASE("an unknown entity is an error at its line:col") {
  Run r("line one\nsome &bogus; text");
  CHECK(r.errors() == 1);
  CHECK(r.first() == "11:6: unknown entity '&bogus;'");
}

TEST_CASE("invalid numeric references are errors") {
  for (const char* s : {"&#0;", "&#xD800;", "&#x110000;", "&#1;", "&#99999999999;", "&#x81;"}) {
    Run r(s);
    CHECK_MESSAGE(r.errors() == 1, s);
  }
  Run missing("&#8212 x");
  CHECK(missing.errors() == 1);
  Run c1("&#150;");  // Windows-1252 en dash, as browsers read it
  CHECK(c1.f.xhtml == "\u2013");
  CHECK(c1.warnings() == 1);
}

TEST_CASE("decode_entity handles names and numbers") {
  CHECK(decode_entity("mdash") == "\u2014");
  CHECK(decode_entity("#8212") == "\u2014");
  CHECK(decode_entity("#x2014") == "\u2014");
  CHECK(decode_entity("#X2014") == "\u2014");
  CHECK(decode_entity("amp") == "&");
  CHECK(decode_entity("AElig") == "\u00c6");
  CHECK(decode_entity("Omega") == "\u03a9");
  CHECK(decode_entity("sigmaf") == "\u03c2");
  CHECK(decode_entity("lang") == "\u27e8");
  CHECK(decode_entity("nosuch").empty());
  CHECK(decode_entity("MDASH").empty());  // names are case-sensitive
  CHECK(decode_entity("#").empty());
  CHECK(decode_entity("#xZZ").empty());
  CHECK(decode_entity("#xD800").empty());
}

TEST_CASE("custom elements keep their content as nodes; inline svg and math are errors") {
  Run r("<p>a</p>\n<Listing number=\"1-1\" onclick=\"x()\">b</Listing>");
  CHECK(r.errors() == 0);
  CHECK(r.warnings() == 1);  // the handler, removed by the one policy
  CHECK(r.f.xhtml == "<p>a</p>\nb");
  REQUIRE(r.f.nodes.size() == 7);
  const HtmlNode& start = r.f.nodes[4];
  CHECK(start.kind == HtmlNode::Kind::Start);
  CHECK(start.name == "listing");
  CHECK_FALSE(start.known);
  CHECK(start.attributes == std::vector<std::pair<std::string, std::string>>{{"number", "1-1"}});
  CHECK(start.pos.line == 11);
  CHECK(r.f.nodes[5].text == "b");
  CHECK(r.f.nodes[6].kind == HtmlNode::Kind::End);
  CHECK(r.f.nodes[0].known);
  Run svg("<svg><path/></svg>");
  CHECK(svg.errors() >= 1);
  CHECK(svg.diag.all()[0].hint.find(".svg file") != std::string::npos);
  Run math("<math><mi>x</mi></math>");
  CHECK(math.first().find("<math> is not allowed in an EPUB") != std::string::npos);
}

TEST_CASE("script and style are removed with their content, keeping lines") {
  Run r("a<script>if (a < b) alert('</div>');\n</SCRIPT >b<style>p{}</style>c");
  CHECK(r.f.xhtml == "a\nbc");
  CHECK(r.warnings() == 2);
  CHECK(r.errors() == 0);
  CHECK(r.first() == "10:4: <script> removed with its content");
  CHECK(r.f.tags.empty());
}

TEST_CASE("iframe, object, form are removed with content; meta, link, embed lose the tag") {
  Run r("<object data=x><object>inner</object><p>fallback</p></object>"
        "<form><input name=q></form><meta charset=utf-8><link rel=stylesheet href=a.css>"
        "<embed src=a.swf>k<iframe src=x>no</iframe>");
  CHECK(r.f.xhtml == "k");
  CHECK(r.errors() == 0);
  CHECK(r.warnings() == 6);
  CHECK(r.f.tags.empty());
}

TEST_CASE("an element removed with its content but never closed warns") {
  Run r("<form><p>x</p>");
  CHECK(r.f.xhtml.empty());
  CHECK(r.warnings() == 2);
}

TEST_CASE("event handlers are removed with a warning") {
  Run r("<p onclick=\"evil()\" ONMOUSEOVER=x class=c>t</p>");
  CHECK(r.f.xhtml == "<p class=\"c\">t</p>");
  CHECK(r.warnings() == 2);
  CHECK(r.first() == "10:6: event handler 'onclick' removed");
}

TEST_CASE("javascript:, vbscript: and data: URLs are removed") {
  Run r("<a href=\" \tJaVa\nScRiPt:alert(1)\">a</a><img src=\"data:image/png;base64,xx\" alt=\"\">"
        "<a href='vbscript:x'>b</a><a href=\"https://example.com/javascript:\">c</a>");
  CHECK(r.f.xhtml ==
        "<a\n>a</a><img alt=\"\"/><a>b</a><a href=\"https://example.com/javascript:\">c</a>");
  CHECK(r.warnings() == 3);
  CHECK(r.errors() == 0);
}

TEST_CASE("attributes not valid in EPUB are dropped or converted") {
  Run r("<table border=1 bgcolor=red><tr><td align=center valign=top width=50>x</td></tr></table>");
  CHECK(r.f.xhtml ==
        "<table><tr><td style=\"text-align: center;vertical-align: top;\">x</td></tr></table>");
  CHECK(r.warnings() == 3);
  Run merged("<p style=\"color: red\" align=right>x</p>");
  CHECK(merged.f.xhtml == "<p style=\"text-align: right; color: red;\">x</p>");
  Run img("<img src=a.png alt=a width=50% height=20>");
  CHECK(img.f.xhtml == "<img src=\"a.png\" alt=\"a\" height=\"20\"/>");
  CHECK(img.warnings() == 1);
}

TEST_CASE("global attributes are kept") {
  Run r("<span id=a class=b dir=rtl title=t role=note aria-label=l epub:type=noteref "
        "style=\"x: y\" data-k=v>x</span>");
  CHECK(r.f.xhtml ==
        "<span id=\"a\" class=\"b\" dir=\"rtl\" title=\"t\" role=\"note\" aria-label=\"l\" "
        "epub:type=\"noteref\" style=\"x: y\" data-k=\"v\">x</span>");
  CHECK(r.warnings() == 0);
  CHECK(r.errors() == 0);
}

TEST_CASE("<a name> becomes an id") {
  Run r("<a name=\"ch1\"></a>");
  CHECK(r.f.xhtml == "<a id=\"ch1\"></a>");
  REQUIRE(r.f.ids.size() == 1);
  CHECK(r.f.ids[0] == "ch1");
}

TEST_CASE("invalid ids are errors with a hint") {
  Run digit("<div id=\"1intro\">");
  CHECK(digit.first() == "10:8: invalid id '1intro'");
  CHECK(digit.f.ids.empty());
  Run space("<div id=\"a b\">");
  CHECK(space.errors() == 1);
  Run empty("<div id=\"\">");
  CHECK(empty.errors() == 1);
  Run unicode("<div id=\"\u00e9t\u00e9\">");
  CHECK(unicode.errors() == 0);
}

TEST_CASE("is_xml_ncname") {
  CHECK(is_xml_ncname("intro"));
  CHECK(is_xml_ncname("_1"));
  CHECK(is_xml_ncname("a-b.c_d9"));
  CHECK(is_xml_ncname("\u0432\u0441\u0435"));
  CHECK_FALSE(is_xml_ncname(""));
  CHECK_FALSE(is_xml_ncname("1a"));
  CHECK_FALSE(is_xml_ncname("-a"));
  CHECK_FALSE(is_xml_ncname(".a"));
  CHECK_FALSE(is_xml_ncname("a:b"));
  CHECK_FALSE(is_xml_ncname("a b"));
  CHECK_FALSE(is_xml_ncname("a\xff"));
}

TEST_CASE("malformed tags are errors at their line:col") {
  Run eof("text\n  <div class=x");
  CHECK(eof.first() == "11:3: tag <div is not closed with '>'");
  CHECK(eof.f.xhtml == "text\n  ");
  Run quote("<p title=\"open>text</p>\nmore");
  CHECK(quote.first() == "10:12: attribute value is not closed: missing \"");
  Run dup("<p class=a\n class=b>x</p>");
  CHECK(dup.first() == "11:2: duplicate attribute 'class' on <p>");
  CHECK(dup.f.xhtml == "<p class=\"a\"\n>x</p>");
  Run badname("<p \"x\">y</p>");
  CHECK(badname.errors() == 1);
}

TEST_CASE("columns count characters, not bytes, and later lines start at column 1") {
  Run r("\u00e9\u00e9 &x;\n\u00e9 &y;", {5, 7});
  auto all = r.diag.all();
  REQUIRE(all.size() == 2);
  CHECK(all[0].pos.line == 5);
  CHECK(all[0].pos.col == 10);
  CHECK(all[1].pos.line == 6);
  CHECK(all[1].pos.col == 3);
}

TEST_CASE("doctype and processing instructions are removed") {
  Run r("<!DOCTYPE html><?xml version=\"1.0\"?><p>x</p>");
  CHECK(r.f.xhtml == "<p>x</p>");
  CHECK(r.warnings() == 2);
}

TEST_CASE("CDATA becomes escaped text") {
  Run r("<![CDATA[a < b & c]]>");
  CHECK(r.f.xhtml == "a &lt; b &amp; c");
}

TEST_CASE("control characters are left to the model's one cleaner") {
  // Issue 13: raw HTML gave an error per control character where Markdown gives one
  // warning for the file (passes/xml_text.cpp); the nodes keep it for that cleaner,
  // the XHTML written here has U+FFFD.
  Run r("<span title=\"t\x07\">a\x01" "b</span>");
  CHECK(r.errors() == 0);
  CHECK(r.f.xhtml == "<span title=\"t\xEF\xBF\xBD\">a\xEF\xBF\xBD" "b</span>");
  REQUIRE(r.f.nodes.size() == 3);
  CHECK(r.f.nodes[1].text == "a\x01" "b");
}

TEST_CASE("multi-line tags keep their line count") {
  Run r("<div\n  id=\"a\"\n  onclick=\"x\">\n</div>");
  CHECK(r.f.xhtml == "<div id=\"a\"\n\n>\n</div>");
  size_t newlines = 0;
  for (char c : r.f.xhtml) newlines += c == '\n';
  CHECK(newlines == 3);
}

TEST_CASE("repairing repaired output changes nothing") {
  const char* inputs[] = {
      "<DIV CLASS=note>x<BR>&mdash;&amp;</DIV>",
      "<p align=center lang=fr>a &lt; b</p><!-- c\n-->",
      "<table border=1><tr><td>1</td></tr></table><script>x\n</script>",
      "<a name=x href=\"a.md#b\">&quot;</a>",
  };
  for (const char* in : inputs) {
    Run once(in);
    Run twice(once.f.xhtml);
    CHECK(twice.f.xhtml == once.f.xhtml);
    CHECK(twice.errors() == 0);
    CHECK(twice.warnings() == 0);
  }
}

TEST_CASE("block elements are known") {
  CHECK(is_block_element("div"));
  CHECK(is_block_element("table"));
  CHECK(is_block_element("hr"));
  CHECK_FALSE(is_block_element("span"));
  CHECK_FALSE(is_block_element("center"));
}

TEST_CASE("deep nesting and long input run in linear time without recursion") {
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "<span>";
  for (int i = 0; i < 100000; ++i) deep += "</span>";
  Run r(deep);
  CHECK(r.f.tags.size() == 200000);
  CHECK(r.f.tags.back().pos.col == 3 + 100000 * 6 + 99999 * 7);
  std::string amps(200000, '&');
  Run a(amps);
  CHECK(a.f.xhtml.size() == 200000 * 5);
}

TEST_CASE("random tag soup never crashes and repairs into well-formed XML") {
  const char* pieces[] = {"<div", "<p", "<span", "</div>", "</p>", "</span>", "<br>", "</br>",
                          " id=", " class=", "\"", "'", "x", " ", "\n", ">", "/>", "&", "&amp;",
                          "&mdash;", "&#x41;", "&#0;", "&bogus;", "<!--", "-->", "<script>",
                          "</script>", "<", "=", "<img src=a.png>", "<center>", " onclick=",
                          "javascript:", "<![CDATA[", "]]>", "<?x?>", "\xC3\xA9", "<A HREF=#x>",
                          "</a>", "<em>", "</em>", "<table>", "</table>", "<form>", "</form>"};
  std::mt19937 rng(20260127);
  std::uniform_int_distribution<size_t> pick(0, std::size(pieces) - 1);
  std::uniform_int_distribution<int> length(0, 40);
  for (int round = 0; round < 3000; ++round) {
    std::string raw;
    for (int k = length(rng); k > 0; --k) raw += pieces[pick(rng)];
    Run r(raw);
    Run again(r.f.xhtml);
    INFO("input: " << raw);
    INFO("output: " << r.f.xhtml);
    CHECK(again.errors() == 0);
    CHECK(again.warnings() == 0);
    CHECK(again.f.xhtml == r.f.xhtml);
    // When the tags balance, the fragment must parse as XML inside a root element.
    std::vector<std::string> stack;
    bool balanced = true;
    for (const HtmlTag& t : r.f.tags) {
      if (t.open) {
        stack.push_back(t.name);
      } else if (stack.empty() || stack.back() != t.name) {
        balanced = false;
        break;
      } else {
        stack.pop_back();
      }
    }
    if (!balanced || !stack.empty()) continue;
    tinyxml2::XMLDocument doc;
    std::string xml = "<root xmlns:epub=\"http://www.idpf.org/2007/ops\">" + r.f.xhtml + "</root>";
    CHECK(doc.Parse(xml.c_str(), xml.size()) == tinyxml2::XML_SUCCESS);
  }
}

TEST_CASE("resource URLs are local, link schemes come from one allow-list") {
  // Issue 13, item 5: one policy for every URL of the book.
  CHECK(is_local_resource_url("#grad"));
  CHECK(is_local_resource_url("images/a.png"));
  CHECK(is_local_resource_url("data:image/png;base64,AAAA"));
  CHECK_FALSE(is_local_resource_url("https://example.com/a.png"));
  CHECK_FALSE(is_local_resource_url("//example.com/a.png"));
  CHECK_FALSE(is_local_resource_url(" \tfile:///etc/passwd"));
  CHECK_FALSE(is_local_resource_url("data:text/html,x"));
  CHECK(url_scheme_of(" Java\tScript:x") == "javascript");
  CHECK(is_link_scheme_allowed("https"));
  CHECK_FALSE(is_link_scheme_allowed("intent"));
  CHECK_FALSE(is_link_scheme_allowed("file"));
}

TEST_CASE("CSS keeps nothing remote and no script hook") {
  Removals removed;
  std::string css = filter_css(
      "@import 'x.css'; p { color: red; background: url(https://e.example/a.png) }\n"
      ".a { width: \\65xpression(1); top: 0 } .b { position: FIXED } .c { font: bold }",
      false, removed);
  CHECK(css.find("import") == std::string::npos);
  CHECK(css.find("https") == std::string::npos);
  CHECK(css.find("65xpression") == std::string::npos);
  CHECK(css.find("FIXED") == std::string::npos);
  CHECK(css.find("color: red") != std::string::npos);
  CHECK(css.find("top: 0") != std::string::npos);
  CHECK(css.find(".c { font: bold }") != std::string::npos);
  REQUIRE(removed.kinds().size() == 4);
  // Each kind once, at the line and column of its first statement (issue 13: extra-css
  // warnings named no line).
  CHECK(removed.kinds()[1].what == "CSS: a url() outside the book");
  CHECK(removed.kinds()[1].line == 1);
  CHECK(removed.kinds()[1].col == 34);
  CHECK(removed.kinds()[2].what == "CSS: expression()");
  CHECK(removed.kinds()[2].line == 2);
  CHECK(removed.kinds()[2].col == 6);
}

TEST_CASE("what a sanitiser removes is counted per kind, not listed per element") {
  // Issue 13: an SVG with a handler on each of its elements gave a line for each.
  std::string svg = "<svg xmlns='http://www.w3.org/2000/svg'>\n";
  for (int i = 0; i < 500; ++i) svg += "<rect onclick='x()' width='1'/><script>x()</script>\n";
  for (int i = 0; i < 20; ++i) svg += "<g on" + std::string(1, static_cast<char>('a' + i)) + "='x()'/>";
  svg += "</svg>";
  Removals removed;
  std::string problem;
  std::string clean = sanitize_svg(svg, problem, removed);
  CHECK(problem.empty());
  CHECK(clean.find("onclick") == std::string::npos);
  REQUIRE(removed.kinds().size() == 22);
  CHECK(removed.kinds()[0].what == "event attribute onclick");
  CHECK(removed.kinds()[0].count == 500);
  CHECK(removed.kinds()[0].line == 2);
  CHECK(removed.kinds()[1].what == "<script>");
  CHECK(removed.kinds()[1].count == 500);
  CHECK(removed.total() == 1020);
  // A message quotes a few kinds and counts the rest.
  CHECK(removed.summary() ==
        "event attribute onclick (500), <script> (500), event attribute ona, event attribute "
        "onb, event attribute onc, event attribute ond, event attribute one, event attribute "
        "onf and 14 more of 14 other kinds");
}

TEST_CASE("SVG is rebuilt from its allow-list") {
  Removals removed;
  std::string problem;
  std::string svg = sanitize_svg(
      "<s:svg xmlns:s='http://www.w3.org/2000/svg' xmlns:l='http://www.w3.org/1999/xlink' "
      "onload='x()'><s:script>x()</s:script><s:use l:href='#r'/>"
      "<s:image l:href='https://e.example/i.png'/><s:rect id='r' width='1'/></s:svg>",
      problem, removed);
  CHECK(problem.empty());
  CHECK(svg.find("script") == std::string::npos);
  CHECK(svg.find("onload") == std::string::npos);
  CHECK(svg.find("https") == std::string::npos);
  CHECK(svg.find("<use xlink:href=\"#r\"/>") != std::string::npos);
  CHECK(svg.find("<rect id=\"r\" width=\"1\"/>") != std::string::npos);
  tinyxml2::XMLDocument doc;
  CHECK(doc.Parse(svg.c_str()) == tinyxml2::XML_SUCCESS);
  CHECK(sanitize_svg("<svg><g></svg>", problem, removed).empty());
  CHECK(problem.find("not well-formed") != std::string::npos);
}

TEST_CASE("style sheet structure, by example: what would make a CSS parser choke") {
  struct Example {
    std::string_view css;
    std::string_view said;  // "LINE:COL: message", or "" for a sound sheet
  };
  const Example examples[] = {
      {"p { color: red }\nh1 { font-weight: bold }\n", ""},
      {"@media print { p { color: black } }\n", ""},
      {"@page { margin: 1in; @top-center { content: 'x' } }\n", ""},
      {"@font-face { font-family: X; src: url(\"a{b}.woff\") }\n", ""},
      {"p::after { content: '}' } /* { */\n", ""},
      {"p { color: red;\nh1 { font-weight: bold }\n",
       "2:4: a '{' among the declarations of 'p' (line 1): its '}' is missing"},
      {"p { color: red }\nh1 { font-weight: bold\n",
       "2:4: this '{' of 'h1' is never closed"},
      {"p { color: red }\n}\n", "2:1: a '}' with no '{' before it"},
      {"p { color: red } /* note\n", "1:18: this comment is never closed"},
      {"p::after { content: 'open\n}\n", "1:21: this string is never closed"},
      {"@media screen {\n  p { color: red }\n", "1:15: this '{' of '@media screen' is never closed"},
      {"", ""},
  };
  for (const Example& e : examples) {
    CAPTURE(e.css);
    uint32_t line = 0, col = 0;
    std::string problem = css_structure_problem(e.css, line, col);
    std::string said =
        problem.empty() ? "" : std::to_string(line) + ":" + std::to_string(col) + ": " + problem;
    CHECK(said == e.said);
  }
}
