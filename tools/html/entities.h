// The named character reference table used by the HTML repairer.
#pragma once
#include <cstddef>
#include <string_view>

namespace colophon {

// Returns the code point of the HTML named character reference NAME (without '&' and
// ';', case-sensitive), or 0 if colophon does not know it.
char32_t named_entity_code_point(std::string_view name);

// Counts the names in the table (for tests).
size_t named_entity_count();

}  // namespace colophon
