/* The part of <string.h> the generated bindings use, for a freestanding build:
 * runtime.c defines each. */
#ifndef FUSEBOX_FREESTANDING_STRING_H
#define FUSEBOX_FREESTANDING_STRING_H
#include <stddef.h>
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memset(void *dst, int value, size_t n);
size_t strlen(const char *s);
#endif
