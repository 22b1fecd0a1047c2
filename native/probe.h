#ifndef CORDON_PROBE_H
#define CORDON_PROBE_H

#include "config.h"

/* Prints what this kernel and process can enforce as JSON on stdout;
 * returns the exit status. */
int run_probe(const struct config *cfg);

#endif
