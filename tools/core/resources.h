// Data files compiled into the executable (styles/epub.css, styles/pdf.toml).
#pragma once
#include <optional>
#include <string_view>

namespace colophon {

// Returns the contents of the embedded file NAME (a path relative to the repository
// root, e.g. "styles/epub.css"), or nullopt if no such file was embedded.
std::optional<std::string_view> resource(std::string_view name);

}  // namespace colophon
