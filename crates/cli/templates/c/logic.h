/* What {name} does, as plain C with no WebAssembly in sight: logic.c, tested natively by
 * test_logic.c (`build.sh --test`), and called by the glue in component.c. */
#ifndef {upper}_LOGIC_H
#define {upper}_LOGIC_H

#include <stddef.h>
#include <stdint.h>

/* Copy the `len` bytes of `input` to `out` (room for `len` bytes) unchanged, and return
 * how many bytes were written. */
size_t {crate}_echo(const uint8_t *input, size_t len, uint8_t *out);

#endif
