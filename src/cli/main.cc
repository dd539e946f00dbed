#include "cli/app.h"

int main(int argc, char** argv) { return keywarden::cli::Run(argc, argv); }
