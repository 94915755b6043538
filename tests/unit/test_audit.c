/* Unit tests for the audit chain (src/audit/): append, verify, and text that is not UTF-8. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/err.h"
#include "core/str.h"
#include "db/db.h"
#include "db/migrate.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static int open_db(void **state)
{
    struct db *db = NULL;
    char err[256] = "";
    int applied = 0;
    if (sodium_init() < 0 || db_open(":memory:", DB_OPEN_CREATE, &db, err, sizeof(err)) != 0 ||
        migrate_apply(db, varn_migrations, varn_migrations_count, "2026-11-22T08:00:00Z", &applied,
                      err, sizeof(err)) != 0) {
        fprintf(stderr, "setup: %s\n", err);
        return -1;
    }
    clock_fix(1795334400); /* 2026-11-22T08:00:00Z */
    *state = db;
    return 0;
}

static int close_db(void **state)
{
    clock_unfix();
    db_close(*state);
    return 0;
}

static void append(struct db *db, const char *actor, const char *object_id)
{
    json_t *after = json_pack("{s:s}", "name", "Åsa Öberg");
    struct audit_event ev = {.actor = actor,
                             .action = "person.update",
                             .object_kind = "person",
                             .object_id = object_id,
                             .organisation_id = 1,
                             .after = after};
    assert_int_equal(audit_append_alone(db, &ev), 0);
    json_decref(after);
}

static void exec(struct db *db, const char *sql)
{
    assert_int_equal(db_exec(db, sql), 0);
}

static void an_empty_log_is_intact(void **state)
{
    struct audit_verify_result res;
    assert_int_equal(audit_verify(*state, NULL, &res), 0);
    assert_int_equal(res.entries, 0);
    assert_int_equal(res.head_seq, 0);
    assert_string_equal(res.head_hash, AUDIT_GENESIS);
}

static void appended_entries_verify_and_the_head_is_the_last(void **state)
{
    struct db *db = *state;
    struct audit_verify_result res;
    int64_t seq;
    char head[AUDIT_HASH_LEN];
    for (int i = 0; i < 5; i++)
        append(db, "karin.lindqvist", "asa.oberg");
    assert_int_equal(audit_verify(db, NULL, &res), 0);
    assert_int_equal(res.entries, 5);
    assert_int_equal(audit_head(db, &seq, head), 0);
    assert_int_equal(seq, 5);
    assert_string_equal(res.head_hash, head);
    assert_int_equal(audit_verify(db, head, &res), 0);
    assert_int_equal(res.anchor_seq, 5);
}

static void text_that_is_not_utf8_is_recorded_with_replacement_characters(void **state)
{
    struct db *db = *state;
    struct audit_verify_result res;
    append(db, "mallory\xff", "x\xc0\xafy");           /* a stray byte, an overlong '/' */
    append(db, "eve\xed\xa0\x80", "\xf0\x9f\x94\x92"); /* a surrogate; a valid 4-byte emoji */
    assert_int_equal(audit_verify(db, NULL, &res), 0);
    assert_int_equal(res.entries, 2);
    struct db_stmt *st;
    assert_int_equal(db_prepare(db, "SELECT actor, object_id FROM audit_log ORDER BY seq", &st), 0);
    assert_int_equal(db_step(st), DB_ROW);
    assert_string_equal(db_col_text(st, 0), "mallory\xEF\xBF\xBD");
    assert_string_equal(db_col_text(st, 1), "x\xEF\xBF\xBD\xEF\xBF\xBDy");
    assert_int_equal(db_step(st), DB_ROW);
    assert_string_equal(db_col_text(st, 0), "eve\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    assert_string_equal(db_col_text(st, 1), "\xf0\x9f\x94\x92");
    db_finalize(st);
}

static void an_entry_made_invalid_utf8_is_altered_even_at_the_head(void **state)
{
    struct db *db = *state;
    struct audit_verify_result res;
    append(db, "a", "1");
    append(db, "b", "2");
    /* What a hash over no canonical form would have been: SHA-256 of prev_hash and "\n". */
    struct audit_record r = {.seq = 2, .at = "x", .actor = "\xff", .action = "y"};
    char h[AUDIT_HASH_LEN];
    assert_int_equal(audit_hash(&r, h), ERR_INVALID);
    /* The forger also stores the hash that covers no contents: SHA-256(prev_hash "\n"). */
    struct db_stmt *st;
    char sql[256], prev[AUDIT_HASH_LEN + 1] = "";
    unsigned char d[crypto_hash_sha256_BYTES];
    assert_int_equal(db_prepare(db, "SELECT hash FROM audit_log WHERE seq = 1", &st), 0);
    assert_int_equal(db_step(st), DB_ROW);
    memcpy(prev, db_col_text(st, 0), AUDIT_HASH_LEN - 1);
    db_finalize(st);
    prev[AUDIT_HASH_LEN - 1] = '\n';
    crypto_hash_sha256(d, (const unsigned char *)prev, AUDIT_HASH_LEN);
    sodium_bin2hex(h, sizeof(h), d, sizeof(d));
    assert_int_equal(str_format(sql, sizeof(sql),
                                "UPDATE audit_log SET actor = CAST(x'ff' AS TEXT), hash = '%s'"
                                " WHERE seq = 2",
                                h),
                     0);
    exec(db, sql);
    assert_int_equal(audit_verify(db, NULL, &res), ERR_INVALID);
    assert_string_equal(res.problem, "entry 2 was altered: its hash does not match its contents");
    assert_int_equal(res.entries, 1);
}

static void the_first_problem_is_named(void **state)
{
    struct db *db = *state;
    struct audit_verify_result res;
    for (int i = 0; i < 6; i++)
        append(db, "a", "1");
    exec(db, "DELETE FROM audit_log WHERE seq = 3");
    exec(db, "UPDATE audit_log SET actor = 'z' WHERE seq = 5");
    assert_int_equal(audit_verify(db, NULL, &res), ERR_INVALID);
    assert_string_equal(res.problem, "entry 3 is missing");
    assert_int_equal(res.head_seq, 2);
}

static void an_unknown_anchor_is_a_cut_or_rewritten_chain(void **state)
{
    struct db *db = *state;
    struct audit_verify_result res;
    append(db, "a", "1");
    char anchor[AUDIT_HASH_LEN];
    memset(anchor, 'a', AUDIT_HASH_LEN - 1);
    anchor[AUDIT_HASH_LEN - 1] = '\0';
    assert_true(audit_hash_valid(anchor));
    assert_false(audit_hash_valid("abc"));
    assert_false(audit_hash_valid(AUDIT_GENESIS "0"));
    assert_int_equal(audit_verify(db, anchor, &res), ERR_INVALID);
    assert_non_null(strstr(res.problem, "cut short or rewritten since head aaaa"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(an_empty_log_is_intact, open_db, close_db),
        cmocka_unit_test_setup_teardown(appended_entries_verify_and_the_head_is_the_last, open_db,
                                        close_db),
        cmocka_unit_test_setup_teardown(
            text_that_is_not_utf8_is_recorded_with_replacement_characters, open_db, close_db),
        cmocka_unit_test_setup_teardown(an_entry_made_invalid_utf8_is_altered_even_at_the_head,
                                        open_db, close_db),
        cmocka_unit_test_setup_teardown(the_first_problem_is_named, open_db, close_db),
        cmocka_unit_test_setup_teardown(an_unknown_anchor_is_a_cut_or_rewritten_chain, open_db,
                                        close_db),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
