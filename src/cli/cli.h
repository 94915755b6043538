/* The command line: one function per subcommand, dispatched from one table in main.c. */
#ifndef VARN_CLI_CLI_H
#define VARN_CLI_CLI_H

#include <stdbool.h>

/* Exit codes of every command. */
enum cli_exit {
    CLI_OK = 0,     /* success */
    CLI_FAILED = 1, /* the command ran and failed */
    CLI_USAGE = 2,  /* the command line was wrong; a message names the problem */
};

struct app {
    const char *db_url; /* --db, VARN_DB, or ./varn.db */
};

struct command {
    const char *name; /* what the user types */
    int (*run)(int argc, char **argv, struct app *app);
    const char *usage;   /* "varn backup FILE" */
    const char *summary; /* one line for `varn --help` */
    const char *help;    /* the rest of `varn <command> --help` */
};

/* The table, for `varn help`. */
extern const struct command cli_commands[];
extern const int cli_commands_count;

/* Report a usage error for command cmd and return CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Report a failure and return CLI_FAILED. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Read option name at argv[*i], as "--name VALUE" or "--name=VALUE". Returns true and
 * advances *i past it when it matches; a missing value is a usage error (*value NULL). */
bool cli_option(int argc, char **argv, int *i, const char *name, const char **value);

int cmd_init(int argc, char **argv, struct app *app);
int cmd_serve(int argc, char **argv, struct app *app);
int cmd_backup(int argc, char **argv, struct app *app);
int cmd_restore(int argc, char **argv, struct app *app);
int cmd_token(int argc, char **argv, struct app *app);
int cmd_audit(int argc, char **argv, struct app *app);
int cmd_demo(int argc, char **argv, struct app *app);
int cmd_import(int argc, char **argv, struct app *app);
int cmd_export(int argc, char **argv, struct app *app);
int cmd_user(int argc, char **argv, struct app *app);
int cmd_check(int argc, char **argv, struct app *app);
int cmd_policy(int argc, char **argv, struct app *app);
int cmd_report(int argc, char **argv, struct app *app);
int cmd_directory(int argc, char **argv, struct app *app); /* directory (LDAP / AD) import */

#endif
