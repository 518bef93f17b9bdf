/* The bindings glue: maps arithmetic.c onto the `fusebox:calculator/math` exports the
 * generated header declares, and reports each failed operation to the shared logger at
 * debug level, with the same fields as the Rust and Python calculators. Keep it thin:
 * the logic lives in arithmetic.c, which runs and is tested without WebAssembly. */
#include "arithmetic.h"
#include "calculator.h"

#include <stdlib.h>

/* The bindings reference the `*_component_type.o` wit-bindgen can write, to make sure
 * it is linked. build.sh embeds the world with `wasm-tools component embed` instead, so
 * there is no object: this stands in for its symbol. */
void __component_type_object_force_link_calculator(void) {}

/* `value` in decimal into `out` (at least 11 bytes), NUL-terminated. */
static void decimal(uint32_t value, char *out) {
    char digits[10];
    int n = 0;
    do {
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    while (n)
        *out++ = digits[--n];
    *out = '\0';
}

typedef arith_error (*operation)(uint32_t, uint32_t, uint32_t *);

/* Run `op`; on an error, log it and give its WIT form. */
static bool report(const char *name, operation op, uint32_t a, uint32_t b, uint32_t *ret,
                   exports_fusebox_calculator_math_math_error_t *err) {
    arith_error error = op(a, b, ret);
    if (error == ARITH_OK)
        return true;

    char a_text[11], b_text[11];
    decimal(a, a_text);
    decimal(b, b_text);
    fusebox_logger_log_field_t fields[4];
    calculator_string_set(&fields[0].key, "op");
    calculator_string_set(&fields[0].value, name);
    calculator_string_set(&fields[1].key, "a");
    calculator_string_set(&fields[1].value, a_text);
    calculator_string_set(&fields[2].key, "b");
    calculator_string_set(&fields[2].value, b_text);
    calculator_string_set(&fields[3].key, "error");
    calculator_string_set(&fields[3].value, arith_error_name(error));
    fusebox_logger_log_list_field_t list = {fields, 4};
    calculator_string_t origin, message;
    calculator_string_set(&origin, "calculator");
    calculator_string_set(&message, "operation has no result");
    fusebox_logger_log_event(FUSEBOX_LOGGER_LOG_LEVEL_DEBUG, &origin, &message, &list);

    *err = error == ARITH_OVERFLOW ? EXPORTS_FUSEBOX_CALCULATOR_MATH_MATH_ERROR_OVERFLOW
                                   : EXPORTS_FUSEBOX_CALCULATOR_MATH_MATH_ERROR_DIVISION_BY_ZERO;
    return false;
}

bool exports_fusebox_calculator_math_add(uint32_t a, uint32_t b, uint32_t *ret,
                                         exports_fusebox_calculator_math_math_error_t *err) {
    return report("add", arith_add, a, b, ret, err);
}

bool exports_fusebox_calculator_math_subtract(uint32_t a, uint32_t b, uint32_t *ret,
                                              exports_fusebox_calculator_math_math_error_t *err) {
    return report("subtract", arith_subtract, a, b, ret, err);
}

bool exports_fusebox_calculator_math_multiply(uint32_t a, uint32_t b, uint32_t *ret,
                                              exports_fusebox_calculator_math_math_error_t *err) {
    return report("multiply", arith_multiply, a, b, ret, err);
}

bool exports_fusebox_calculator_math_divide(uint32_t a, uint32_t b, uint32_t *ret,
                                            exports_fusebox_calculator_math_math_error_t *err) {
    return report("divide", arith_divide, a, b, ret, err);
}

void exports_fusebox_calculator_math_process_sequence(calculator_list_u32_t *input,
                                                      calculator_list_u32_t *ret) {
    /* The input list is ours: sort it in place and hand it back as the result, which
     * the post-return function then frees. */
    ret->ptr = input->ptr;
    ret->len = arith_process_sequence(input->ptr, input->len);
}
