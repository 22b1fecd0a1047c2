#ifndef CORDON_PROOF_H
#define CORDON_PROOF_H

#include "config.h"

/* Before restrict_self: picks a directory that no rule lets the command list
 * and that it can list now (so that a later denial can only come from
 * Landlock). Records the choice, or why there is none, in st. */
void choose_proof_path(const struct config *cfg, struct state *st);

/* After restrict_self: lists the chosen directory again. Denied is the
 * proof; anything else records a GAP_PROOF. */
void check_proof(struct state *st);

#endif
