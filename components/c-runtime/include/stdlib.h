/* The part of <stdlib.h> the generated bindings use, for a freestanding build:
 * runtime.c defines each. */
#ifndef FUSEBOX_FREESTANDING_STDLIB_H
#define FUSEBOX_FREESTANDING_STDLIB_H
#include <stddef.h>
void *malloc(size_t size);
void *realloc(void *ptr, size_t size);
void free(void *ptr);
_Noreturn void abort(void);
#endif
