/* The little the bindings need from a C library, for a freestanding build: malloc,
 * realloc, free, memcpy, memset, strlen and abort. Shared by the C components
 * (calculator-c, logger-c) and their headers in include/.
 *
 * Why not wasi-libc: Debian's is a 2022 WASI preview 1 snapshot, which would pull
 * preview 1 imports (and an adapter) into a component. Freestanding, a component imports
 * exactly what its world declares: the calculator only the logger, the logger only the
 * clock and stderr.
 *
 * The allocator is a bump allocator on __heap_base: `free` returns nothing. That fits a
 * component instantiated per request, whose whole memory goes when the request ends, and
 * whose largest input is bounded by the host's body limit. A long-lived component would
 * need a real allocator (dlmalloc, or wasi-libc's). */
#include <stddef.h>
#include <stdint.h>

extern unsigned char __heap_base;

#define PAGE 65536u
#define ALIGN 8u

/* Each block starts with its size, so that realloc knows how much to copy. */
typedef struct {
    size_t size;
    size_t pad;
} header;

static uintptr_t heap_next;
static void *last_block;

void *memcpy(void *restrict dst, const void *restrict src, size_t n) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memset(void *dst, int value, size_t n) {
    unsigned char *d = dst;
    while (n--)
        *d++ = (unsigned char)value;
    return dst;
}

size_t strlen(const char *s) {
    const char *end = s;
    while (*end)
        end++;
    return (size_t)(end - s);
}

_Noreturn void abort(void) { __builtin_trap(); }

void *malloc(size_t size) {
    if (heap_next == 0)
        heap_next = ((uintptr_t)&__heap_base + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1);
    if (size > SIZE_MAX - sizeof(header) - ALIGN)
        return NULL;
    size_t total = (sizeof(header) + size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    uintptr_t end = heap_next + total;
    if (end < heap_next)
        return NULL;
    size_t have = __builtin_wasm_memory_size(0) * PAGE;
    if (end > have) {
        size_t pages = (end - have + PAGE - 1) / PAGE;
        if (__builtin_wasm_memory_grow(0, pages) == (size_t)-1)
            return NULL;
    }
    header *block = (header *)heap_next;
    block->size = size;
    heap_next = end;
    last_block = block + 1;
    return last_block;
}

void free(void *ptr) { (void)ptr; }

void *realloc(void *ptr, size_t size) {
    if (ptr == NULL)
        return malloc(size);
    header *block = (header *)ptr - 1;
    if (size <= block->size)
        return ptr;
    /* The newest block can grow where it is. */
    if (ptr == last_block) {
        heap_next = (uintptr_t)block;
        void *moved = malloc(size);
        if (moved == NULL)
            heap_next = (uintptr_t)ptr + ((block->size + ALIGN - 1) & ~(size_t)(ALIGN - 1));
        return moved;
    }
    void *moved = malloc(size);
    if (moved != NULL)
        memcpy(moved, ptr, block->size);
    return moved;
}
