#ifndef CORDON_ARGV_H
#define CORDON_ARGV_H

#include "config.h"

/* Parses the launcher's argv into cfg. On a usage error prints a message
 * naming the flag and exits EXIT_CORDON; --help and --version exit 0. */
void parse_argv(int argc, char **argv, struct config *cfg);

const char *gap_name(enum gap g);

#endif
