#ifndef CORDON_JSON_H
#define CORDON_JSON_H

#include <stdio.h>

/* Writes s as a JSON string. Bytes are passed through as they are, so
 * a path that is not valid UTF-8 reaches the reader as the bytes it has. */
void json_string(FILE *f, const char *s);

#endif
