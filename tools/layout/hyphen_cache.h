// A compiled copy of each large libhyphen dictionary, kept in the user's cache folder.
//
// libhyphen builds its pattern automaton afresh on every load, and for big pattern files
// that is slow: Debian 12's German dictionary (1 MB, 78,000 patterns, 279,000 states)
// takes 1.5 to 7 seconds, which was most of the time of any PDF with a German passage.
// The automaton it builds is plain data (struct _HyphenDict in hyphen.h), so after one
// load we write it to $XDG_CACHE_HOME/colophon/hyphen (or ~/.cache/...) and later builds
// read it back in a few milliseconds. libhyphen still does all the hyphenating.
//
// The cache is only ever an optimisation: a missing, unreadable, stale or damaged file
// (every count and index is checked) means the dictionary is loaded from its source, and
// a cache that cannot be written is not an error.
#pragma once
#include <hyphen.h>

#include <string>
#include <string_view>

namespace colophon {

// Loads the dictionary in PATH, from the cache when it holds a valid copy of this very
// file (same size and modification time), else with libhyphen, then caches it when the
// file is big enough for loading to take noticeable time. Returns null when the
// dictionary cannot be loaded at all.
HyphenDict* load_hyphen_dictionary(const std::string& path);

// The cache file for the dictionary at PATH, or "" when there is no cache folder (no
// XDG_CACHE_HOME and no HOME) or PATH cannot be examined.
std::string hyphen_cache_file(const std::string& path);

// The automaton as bytes, and back (null when BYTES is not a complete, consistent copy).
// The dictionary returned is allocated as libhyphen allocates its own, so
// hnj_hyphen_free can release it.
std::string serialize_hyphen_dictionary(const HyphenDict& dict);
HyphenDict* deserialize_hyphen_dictionary(std::string_view bytes);

}  // namespace colophon
