// colophon: builds a Markdown book into EPUB 3 and PDF.
#include <csignal>

#include "cli/app.h"

int main(int argc, char** argv) {
  // Past a file-size limit (ulimit -f) the kernel would kill us with SIGXFSZ and leave
  // a temporary file behind; ignored, the write fails with EFBIG and is reported.
  std::signal(SIGXFSZ, SIG_IGN);
  return colophon::run_command_line(argc, argv);
}
