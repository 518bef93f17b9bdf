/* See line.h. */
#include "line.h"

/* Where rendered bytes go: counted always, stored while they fit. */
typedef struct {
    char *out;
    size_t cap;
    size_t len;
} sink;

static void put(sink *s, char c) {
    if (s->len < s->cap)
        s->out[s->len] = c;
    s->len++;
}

static void put_raw(sink *s, const char *text, size_t len) {
    for (size_t i = 0; i < len; i++)
        put(s, text[i]);
}

static void put_cstr(sink *s, const char *text) {
    while (*text)
        put(s, *text++);
}

/* `text` as a JSON string, escaped as serde_json escapes: the short forms for \b \f \n
 * \r \t, \u00XX for the other control characters, and every other byte as it is (the
 * canonical ABI guarantees UTF-8). */
static void put_json_string(sink *s, line_str text) {
    static const char hex[] = "0123456789abcdef";
    put(s, '"');
    for (size_t i = 0; i < text.len; i++) {
        unsigned char c = (unsigned char)text.ptr[i];
        switch (c) {
        case '"': put_cstr(s, "\\\""); break;
        case '\\': put_cstr(s, "\\\\"); break;
        case '\b': put_cstr(s, "\\b"); break;
        case '\f': put_cstr(s, "\\f"); break;
        case '\n': put_cstr(s, "\\n"); break;
        case '\r': put_cstr(s, "\\r"); break;
        case '\t': put_cstr(s, "\\t"); break;
        default:
            if (c < 0x20) {
                put_cstr(s, "\\u00");
                put(s, hex[c >> 4]);
                put(s, hex[c & 0xf]);
            } else {
                put(s, (char)c);
            }
        }
    }
    put(s, '"');
}

/* `value` in decimal, zero-padded to `width` digits. */
static void put_padded(sink *s, uint64_t value, int width) {
    char digits[20];
    int n = 0;
    do {
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    while (n < width)
        digits[n++] = '0';
    while (n)
        put(s, digits[--n]);
}

/* RFC 3339 in UTC with milliseconds, from days since the epoch (Howard Hinnant's
 * civil-from-days, as the Rust logger computes it). */
static void put_timestamp(sink *s, uint64_t unix_seconds, uint32_t nanoseconds) {
    uint64_t days = unix_seconds / 86400, second_of_day = unix_seconds % 86400;
    uint64_t z = days + 719468;
    uint64_t era = z / 146097, day_of_era = z % 146097;
    uint64_t year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    uint64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    uint64_t month_index = (5 * day_of_year + 2) / 153; /* 0 = March */
    uint64_t day = day_of_year - (153 * month_index + 2) / 5 + 1;
    uint64_t month = month_index < 10 ? month_index + 3 : month_index - 9;
    uint64_t year = year_of_era + era * 400 + (month <= 2);
    put_padded(s, year, 4);
    put(s, '-');
    put_padded(s, month, 2);
    put(s, '-');
    put_padded(s, day, 2);
    put(s, 'T');
    put_padded(s, second_of_day / 3600, 2);
    put(s, ':');
    put_padded(s, second_of_day / 60 % 60, 2);
    put(s, ':');
    put_padded(s, second_of_day % 60, 2);
    put(s, '.');
    put_padded(s, nanoseconds / 1000000, 3);
    put(s, 'Z');
}

static int same(line_str a, line_str b) {
    if (a.len != b.len)
        return 0;
    for (size_t i = 0; i < a.len; i++)
        if (a.ptr[i] != b.ptr[i])
            return 0;
    return 1;
}

size_t line_render(char *out, size_t cap, uint64_t unix_seconds, uint32_t nanoseconds,
                   line_str level, line_str origin, line_str message,
                   const line_field *fields, size_t field_count) {
    sink s = {out, out ? cap : 0, 0};
    put_cstr(&s, "{\"ts\":\"");
    put_timestamp(&s, unix_seconds, nanoseconds);
    put_cstr(&s, "\",\"level\":");
    put_json_string(&s, level);
    put_cstr(&s, ",\"origin\":");
    put_json_string(&s, origin);
    put_cstr(&s, ",\"msg\":");
    put_json_string(&s, message);
    put_cstr(&s, ",\"fields\":{");
    int first = 1;
    for (size_t i = 0; i < field_count; i++) {
        /* A key given again later is skipped here: the last value wins. */
        int repeated_later = 0;
        for (size_t j = i + 1; j < field_count && !repeated_later; j++)
            repeated_later = same(fields[i].key, fields[j].key);
        if (repeated_later)
            continue;
        if (!first)
            put(&s, ',');
        first = 0;
        put_json_string(&s, fields[i].key);
        put(&s, ':');
        put_json_string(&s, fields[i].value);
    }
    put_raw(&s, "}}\n", 3);
    return s.len;
}
