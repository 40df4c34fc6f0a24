// colophon: builds a Markdown book into EPUB 3 and PDF.
#include <csignal>

#include "cli/app.h"
#include "core/paths.h"

int main(int argc, char** argv) {
  // Past a file-size limit (ulimit -f) the kernel would kill us with SIGXFSZ and leave
  // a temporary file behind; ignored, the write fails with EFBIG and is reported.
  std::signal(SIGXFSZ, SIG_IGN);
  // Ctrl-C, kill or a closed terminal removes the staged outputs of a build in progress.
  colophon::remove_on_signal();
  return colophon::run_command_line(argc, argv);
}
