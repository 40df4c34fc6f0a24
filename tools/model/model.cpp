#include "model/model.h"

#include "core/paths.h"

namespace colophon {

std::string Book::display(const std::string& relative) const {
  return display_path(root_display, relative);
}

}  // namespace colophon
