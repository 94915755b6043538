/* libFuzzer target: the CSV reader never overruns, and what it reads survives a round trip. */
#include "core/buf.h"
#include "core/csv.h"
#include "core/err.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Write the records of data back out with every field quoted; that must read back the same. */
static void round_trip(const char *text, size_t len, char sep)
{
    struct csv_reader r, again;
    struct csv_record rec, rec2;
    struct buf out;
    buf_init(&out, 64 * 1024 * 1024);
    csv_init(&r, text, len, sep);
    long last_line = 0;
    int nrec = 0, rc;
    while ((rc = csv_next(&r, &rec)) == 1) {
        if (rec.line < last_line || rec.count < 1)
            abort();
        last_line = rec.line;
        nrec++;
        for (int i = 0; i < rec.count; i++) {
            buf_append(&out, i ? &sep : "", i ? 1 : 0);
            buf_append(&out, "\"", 1);
            for (const char *p = rec.fields[i]; *p; p++)
                buf_append(&out, *p == '"' ? "\"\"" : p, *p == '"' ? 2 : 1);
            buf_append(&out, "\"", 1);
        }
        buf_append(&out, "\r\n", 2);
    }
    if (rc < 0 && (r.error[0] == '\0' || r.error_line < 1))
        abort(); /* every failure says what and where */
    if (rc == 0) {
        /* Read both again side by side and compare field by field. */
        csv_release(&r);
        csv_init(&r, text, len, sep);
        csv_init(&again, buf_str(&out), out.len, sep);
        for (int n = 0; n < nrec; n++) {
            if (csv_next(&r, &rec) != 1 || csv_next(&again, &rec2) != 1)
                abort();
            if (rec.count != rec2.count)
                abort();
            for (int i = 0; i < rec.count; i++)
                if (strcmp(rec.fields[i], rec2.fields[i]) != 0)
                    abort();
        }
        if (csv_next(&again, &rec2) != 0)
            abort();
        csv_release(&again);
    }
    csv_release(&r);
    buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    long line = 0;
    if (csv_utf8_check(text, size, &line) != 0 && line < 1)
        abort();
    size_t bom = csv_bom_length(text, size);
    char sep = csv_detect_separator(text + bom, size - bom);
    if (sep != ',' && sep != ';')
        abort();
    round_trip(text + bom, size - bom, sep);
    return 0;
}
