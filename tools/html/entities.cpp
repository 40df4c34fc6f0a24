// The table of HTML named character references colophon knows: the 252 of HTML 4 and
// the HTML5 additions authors actually type. Written from the Unicode code points.
#include "html/entities.h"

#include <unordered_map>

namespace colophon {

namespace {

// Latin-1 supplement, U+00A0 to U+00FF, in code point order (HTML 4 names).
constexpr const char* kLatin1Names[96] = {
    "nbsp",   "iexcl",  "cent",   "pound",  "curren", "yen",    "brvbar", "sect",
    "uml",    "copy",   "ordf",   "laquo",  "not",    "shy",    "reg",    "macr",
    "deg",    "plusmn", "sup2",   "sup3",   "acute",  "micro",  "para",   "middot",
    "cedil",  "sup1",   "ordm",   "raquo",  "frac14", "frac12", "frac34", "iquest",
    "Agrave", "Aacute", "Acirc",  "Atilde", "Auml",   "Aring",  "AElig",  "Ccedil",
    "Egrave", "Eacute", "Ecirc",  "Euml",   "Igrave", "Iacute", "Icirc",  "Iuml",
    "ETH",    "Ntilde", "Ograve", "Oacute", "Ocirc",  "Otilde", "Ouml",   "times",
    "Oslash", "Ugrave", "Uacute", "Ucirc",  "Uuml",   "Yacute", "THORN",  "szlig",
    "agrave", "aacute", "acirc",  "atilde", "auml",   "aring",  "aelig",  "ccedil",
    "egrave", "eacute", "ecirc",  "euml",   "igrave", "iacute", "icirc",  "iuml",
    "eth",    "ntilde", "ograve", "oacute", "ocirc",  "otilde", "ouml",   "divide",
    "oslash", "ugrave", "uacute", "ucirc",  "uuml",   "yacute", "thorn",  "yuml",
};

// Greek capitals U+0391 to U+03A9 (U+03A2 is unassigned) and small letters U+03B1 to U+03C9.
constexpr const char* kGreekNames[25] = {
    "Alpha", "Beta", "Gamma",   "Delta", "Epsilon", "Zeta", "Eta", "Theta", "Iota",
    "Kappa", "Lambda", "Mu",    "Nu",    "Xi",      "Omicron", "Pi", "Rho", nullptr,
    "Sigma", "Tau",  "Upsilon", "Phi",   "Chi",     "Psi",  "Omega"};
constexpr const char* kGreekSmallNames[25] = {
    "alpha", "beta", "gamma",   "delta", "epsilon", "zeta", "eta", "theta", "iota",
    "kappa", "lambda", "mu",    "nu",    "xi",      "omicron", "pi", "rho", "sigmaf",
    "sigma", "tau",  "upsilon", "phi",   "chi",     "psi",  "omega"};

struct Entry {
  const char* name;
  char32_t cp;
};

// Every other name, with its code point.
constexpr Entry kOtherEntries[] = {
    // HTML 4 special characters.
    {"quot", 0x22}, {"amp", 0x26}, {"lt", 0x3C}, {"gt", 0x3E}, {"OElig", 0x152},
    {"oelig", 0x153}, {"Scaron", 0x160}, {"scaron", 0x161}, {"Yuml", 0x178}, {"circ", 0x2C6},
    {"tilde", 0x2DC}, {"ensp", 0x2002}, {"emsp", 0x2003}, {"thinsp", 0x2009}, {"zwnj", 0x200C},
    {"zwj", 0x200D}, {"lrm", 0x200E}, {"rlm", 0x200F}, {"ndash", 0x2013}, {"mdash", 0x2014},
    {"lsquo", 0x2018}, {"rsquo", 0x2019}, {"sbquo", 0x201A}, {"ldquo", 0x201C},
    {"rdquo", 0x201D}, {"bdquo", 0x201E}, {"dagger", 0x2020}, {"Dagger", 0x2021},
    {"permil", 0x2030}, {"lsaquo", 0x2039}, {"rsaquo", 0x203A}, {"euro", 0x20AC},
    // HTML 4 symbols.
    {"fnof", 0x192}, {"thetasym", 0x3D1}, {"upsih", 0x3D2}, {"piv", 0x3D6}, {"bull", 0x2022},
    {"hellip", 0x2026}, {"prime", 0x2032}, {"Prime", 0x2033}, {"oline", 0x203E},
    {"frasl", 0x2044}, {"weierp", 0x2118}, {"image", 0x2111}, {"real", 0x211C},
    {"trade", 0x2122}, {"alefsym", 0x2135}, {"larr", 0x2190}, {"uarr", 0x2191},
    {"rarr", 0x2192}, {"darr", 0x2193}, {"harr", 0x2194}, {"crarr", 0x21B5}, {"lArr", 0x21D0},
    {"uArr", 0x21D1}, {"rArr", 0x21D2}, {"dArr", 0x21D3}, {"hArr", 0x21D4}, {"forall", 0x2200},
    {"part", 0x2202}, {"exist", 0x2203}, {"empty", 0x2205}, {"nabla", 0x2207}, {"isin", 0x2208},
    {"notin", 0x2209}, {"ni", 0x220B}, {"prod", 0x220F}, {"sum", 0x2211}, {"minus", 0x2212},
    {"lowast", 0x2217}, {"radic", 0x221A}, {"prop", 0x221D}, {"infin", 0x221E}, {"ang", 0x2220},
    {"and", 0x2227}, {"or", 0x2228}, {"cap", 0x2229}, {"cup", 0x222A}, {"int", 0x222B},
    {"there4", 0x2234}, {"sim", 0x223C}, {"cong", 0x2245}, {"asymp", 0x2248}, {"ne", 0x2260},
    {"equiv", 0x2261}, {"le", 0x2264}, {"ge", 0x2265}, {"sub", 0x2282}, {"sup", 0x2283},
    {"nsub", 0x2284}, {"sube", 0x2286}, {"supe", 0x2287}, {"oplus", 0x2295},
    {"otimes", 0x2297}, {"perp", 0x22A5}, {"sdot", 0x22C5}, {"lceil", 0x2308},
    {"rceil", 0x2309}, {"lfloor", 0x230A}, {"rfloor", 0x230B},
    {"lang", 0x27E8},  // HTML5 value (HTML 4 had U+2329)
    {"rang", 0x27E9},  // HTML5 value (HTML 4 had U+232A)
    {"loz", 0x25CA}, {"spades", 0x2660}, {"clubs", 0x2663}, {"hearts", 0x2665},
    {"diams", 0x2666},
    // HTML5 additions: ASCII punctuation by name.
    {"apos", 0x27}, {"excl", 0x21}, {"num", 0x23}, {"dollar", 0x24}, {"percnt", 0x25},
    {"lpar", 0x28}, {"rpar", 0x29}, {"ast", 0x2A}, {"midast", 0x2A}, {"plus", 0x2B},
    {"comma", 0x2C}, {"period", 0x2E}, {"sol", 0x2F}, {"colon", 0x3A}, {"semi", 0x3B},
    {"equals", 0x3D}, {"quest", 0x3F}, {"commat", 0x40}, {"lsqb", 0x5B}, {"lbrack", 0x5B},
    {"bsol", 0x5C}, {"rsqb", 0x5D}, {"rbrack", 0x5D}, {"Hat", 0x5E}, {"lowbar", 0x5F},
    {"grave", 0x60}, {"lcub", 0x7B}, {"lbrace", 0x7B}, {"verbar", 0x7C}, {"vert", 0x7C},
    {"rcub", 0x7D}, {"rbrace", 0x7D}, {"Tab", 0x09}, {"NewLine", 0x0A},
    // HTML5 additions: aliases of Latin-1 characters.
    {"NonBreakingSpace", 0xA0}, {"COPY", 0xA9}, {"REG", 0xAE}, {"circledR", 0xAE},
    {"half", 0xBD}, {"pm", 0xB1}, {"div", 0xF7}, {"centerdot", 0xB7},
    {"angst", 0xC5}, {"die", 0xA8}, {"Dot", 0xA8}, {"strns", 0xAF},
    // HTML5 additions: spaces, dashes, quotes and other punctuation.
    {"numsp", 0x2007}, {"puncsp", 0x2008}, {"hairsp", 0x200A}, {"ZeroWidthSpace", 0x200B},
    {"emsp13", 0x2004}, {"emsp14", 0x2005}, {"MediumSpace", 0x205F}, {"NoBreak", 0x2060},
    {"hyphen", 0x2010}, {"dash", 0x2010}, {"horbar", 0x2015}, {"Vert", 0x2016},
    {"Verbar", 0x2016}, {"lsquor", 0x201A}, {"rsquor", 0x2019}, {"ldquor", 0x201E},
    {"rdquor", 0x201D}, {"bullet", 0x2022}, {"nldr", 0x2025}, {"mldr", 0x2026},
    {"ddagger", 0x2021}, {"pertenk", 0x2031}, {"tprime", 0x2034},
    {"bprime", 0x2035}, {"backprime", 0x2035}, {"caret", 0x2041}, {"hybull", 0x2043},
    {"TRADE", 0x2122}, {"copysr", 0x2117}, {"ell", 0x2113}, {"hbar", 0x210F},
    {"planck", 0x210F}, {"ohm", 0x3A9}, {"Im", 0x2111}, {"Re", 0x211C}, {"aleph", 0x2135},
    {"incare", 0x2105}, {"numero", 0x2116},
    // HTML5 additions: fractions.
    {"frac13", 0x2153}, {"frac23", 0x2154}, {"frac15", 0x2155}, {"frac25", 0x2156},
    {"frac35", 0x2157}, {"frac45", 0x2158}, {"frac16", 0x2159}, {"frac56", 0x215A},
    {"frac18", 0x215B}, {"frac38", 0x215C}, {"frac58", 0x215D}, {"frac78", 0x215E},
    // HTML5 additions: arrows.
    {"leftarrow", 0x2190}, {"LeftArrow", 0x2190}, {"uparrow", 0x2191}, {"UpArrow", 0x2191},
    {"rightarrow", 0x2192}, {"RightArrow", 0x2192}, {"downarrow", 0x2193},
    {"DownArrow", 0x2193}, {"leftrightarrow", 0x2194}, {"nwarr", 0x2196}, {"nearr", 0x2197},
    {"searr", 0x2198}, {"swarr", 0x2199}, {"map", 0x21A6}, {"hookleftarrow", 0x21A9},
    {"hookrightarrow", 0x21AA}, {"rlarr", 0x21C4}, {"lrarr", 0x21C6}, {"Leftarrow", 0x21D0},
    {"Rightarrow", 0x21D2}, {"Implies", 0x21D2}, {"Leftrightarrow", 0x21D4},
    {"iff", 0x21D4},
    // HTML5 additions: mathematics.
    {"mp", 0x2213}, {"setminus", 0x2216}, {"compfn", 0x2218}, {"Sqrt", 0x221A},
    {"propto", 0x221D}, {"emptyset", 0x2205}, {"varnothing", 0x2205}, {"in", 0x2208},
    {"approx", 0x2248}, {"nequiv", 0x2262}, {"leq", 0x2264}, {"geq", 0x2265}, {"ll", 0x226A},
    {"gg", 0x226B}, {"subset", 0x2282}, {"supset", 0x2283}, {"subseteq", 0x2286},
    {"supseteq", 0x2287}, {"infintie", 0x29DD}, {"deg", 0xB0},
    // HTML5 additions: shapes and symbols.
    {"square", 0x25A1}, {"squ", 0x25A1}, {"blacksquare", 0x25AA}, {"squf", 0x25AA},
    {"rect", 0x25AD}, {"utrif", 0x25B4}, {"utri", 0x25B5}, {"rtrif", 0x25B8},
    {"rtri", 0x25B9}, {"dtrif", 0x25BE}, {"dtri", 0x25BF}, {"ltrif", 0x25C2},
    {"ltri", 0x25C3}, {"cir", 0x25CB}, {"bigcirc", 0x25EF}, {"lozenge", 0x25CA},
    {"starf", 0x2605}, {"bigstar", 0x2605}, {"star", 0x2606}, {"phone", 0x260E},
    {"female", 0x2640}, {"male", 0x2642}, {"spadesuit", 0x2660}, {"clubsuit", 0x2663},
    {"heartsuit", 0x2665}, {"diamondsuit", 0x2666}, {"sung", 0x266A}, {"flat", 0x266D},
    {"natural", 0x266E}, {"natur", 0x266E}, {"sharp", 0x266F}, {"check", 0x2713},
    {"checkmark", 0x2713}, {"cross", 0x2717}, {"malt", 0x2720}, {"maltese", 0x2720},
    {"sext", 0x2736}, {"lbbrk", 0x2772}, {"rbbrk", 0x2773},
    // HTML5 additions: Latin Extended-A letters used in European names.
    {"Amacr", 0x100}, {"amacr", 0x101}, {"Abreve", 0x102}, {"abreve", 0x103},
    {"Aogon", 0x104}, {"aogon", 0x105}, {"Cacute", 0x106}, {"cacute", 0x107},
    {"Ccirc", 0x108}, {"ccirc", 0x109}, {"Cdot", 0x10A}, {"cdot", 0x10B}, {"Ccaron", 0x10C},
    {"ccaron", 0x10D}, {"Dcaron", 0x10E}, {"dcaron", 0x10F}, {"Dstrok", 0x110},
    {"dstrok", 0x111}, {"Emacr", 0x112}, {"emacr", 0x113}, {"Edot", 0x116}, {"edot", 0x117},
    {"Eogon", 0x118}, {"eogon", 0x119}, {"Ecaron", 0x11A}, {"ecaron", 0x11B},
    {"Gbreve", 0x11E}, {"gbreve", 0x11F}, {"Gcedil", 0x122}, {"Imacr", 0x12A},
    {"imacr", 0x12B}, {"Iogon", 0x12E}, {"iogon", 0x12F}, {"Idot", 0x130}, {"imath", 0x131},
    {"inodot", 0x131}, {"IJlig", 0x132}, {"ijlig", 0x133}, {"Kcedil", 0x136},
    {"kcedil", 0x137}, {"Lacute", 0x139}, {"lacute", 0x13A}, {"Lcedil", 0x13B},
    {"lcedil", 0x13C}, {"Lcaron", 0x13D}, {"lcaron", 0x13E}, {"Lstrok", 0x141},
    {"lstrok", 0x142}, {"Nacute", 0x143}, {"nacute", 0x144}, {"Ncedil", 0x145},
    {"ncedil", 0x146}, {"Ncaron", 0x147}, {"ncaron", 0x148}, {"ENG", 0x14A}, {"eng", 0x14B},
    {"Omacr", 0x14C}, {"omacr", 0x14D}, {"Odblac", 0x150}, {"odblac", 0x151},
    {"Racute", 0x154}, {"racute", 0x155}, {"Rcedil", 0x156}, {"rcedil", 0x157},
    {"Rcaron", 0x158}, {"rcaron", 0x159}, {"Sacute", 0x15A}, {"sacute", 0x15B},
    {"Scirc", 0x15C}, {"scirc", 0x15D}, {"Scedil", 0x15E}, {"scedil", 0x15F},
    {"Tcedil", 0x162}, {"tcedil", 0x163}, {"Tcaron", 0x164}, {"tcaron", 0x165},
    {"Tstrok", 0x166}, {"tstrok", 0x167}, {"Utilde", 0x168}, {"utilde", 0x169},
    {"Umacr", 0x16A}, {"umacr", 0x16B}, {"Ubreve", 0x16C}, {"ubreve", 0x16D},
    {"Uring", 0x16E}, {"uring", 0x16F}, {"Udblac", 0x170}, {"udblac", 0x171},
    {"Uogon", 0x172}, {"uogon", 0x173}, {"Wcirc", 0x174}, {"wcirc", 0x175}, {"Ycirc", 0x176},
    {"ycirc", 0x177}, {"Zacute", 0x179}, {"zacute", 0x17A}, {"Zdot", 0x17B}, {"zdot", 0x17C},
    {"Zcaron", 0x17D}, {"zcaron", 0x17E},
    // HTML5 additions: Greek variants.
    {"epsi", 0x3B5}, {"epsiv", 0x3F5}, {"varepsilon", 0x3F5}, {"phiv", 0x3D5},
    {"varphi", 0x3D5}, {"thetav", 0x3D1}, {"vartheta", 0x3D1}, {"sigmav", 0x3C2},
    {"varsigma", 0x3C2}, {"Gammad", 0x3DC}, {"gammad", 0x3DD}, {"kappav", 0x3F0},
    {"rhov", 0x3F1}, {"straightepsilon", 0x3F5},
};

// Builds the name -> code point map once.
std::unordered_map<std::string_view, char32_t> build_table() {
  std::unordered_map<std::string_view, char32_t> table;
  for (char32_t i = 0; i < 96; ++i) table.emplace(kLatin1Names[i], 0xA0 + i);
  for (char32_t i = 0; i < 25; ++i) {
    if (kGreekNames[i]) table.emplace(kGreekNames[i], 0x391 + i);
    table.emplace(kGreekSmallNames[i], 0x3B1 + i);
  }
  for (const Entry& e : kOtherEntries) table.emplace(e.name, e.cp);
  return table;
}

}  // namespace

char32_t named_entity_code_point(std::string_view name) {
  static const std::unordered_map<std::string_view, char32_t> table = build_table();
  auto it = table.find(name);
  return it == table.end() ? 0 : it->second;
}

size_t named_entity_count() {
  static const size_t count = build_table().size();
  return count;
}

}  // namespace colophon
