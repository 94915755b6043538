/* Entry point: global options, the clock, and dispatch to one subcommand from the table. */
#include "cli/cli.h"
#include "auth/auth.h"
#include "core/clock.h"
#include "version.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct command cli_commands[] = {
    {"init", cmd_init, "varn init", "create the database, or bring it to this version's schema",
     "Creates the database when it does not exist and applies every pending migration, each\n"
     "in its own transaction. Safe to run again: it does nothing when all is applied.\n"},
    {"serve", cmd_serve, "varn serve [--listen ADDRESS:PORT]", "run the web UI and the JSON API",
     "Serves the UI at / and the API at /api/v1/ until SIGTERM or SIGINT; then it stops\n"
     "accepting, lets requests in flight finish and exits 0. Refuses a database with pending\n"
     "migrations or one newer than this binary.\n"
     "\n"
     "  --listen ADDRESS:PORT  where to listen (default 127.0.0.1:8080, or VARN_LISTEN);\n"
     "                         port 0 picks a free port, logged at start\n"},
    {"backup", cmd_backup, "varn backup FILE",
     "write a consistent copy of the database to a new file",
     "Copies the live database with SQLite's online backup API, consistent even while the\n"
     "server writes, checks the copy and only then gives it its name. FILE must not exist.\n"},
    {"token", cmd_token,
     "varn token create --org CODE --role ROLE [--name TEXT]\n"
     "       varn token list\n"
     "       varn token revoke ID",
     "create, list and revoke API tokens for integrations",
     "create: prints a new API token once; only its hash is stored. Send it as\n"
     "'Authorization: Bearer TOKEN'. The token acts with ROLE in organisation CODE and the\n"
     "organisations below it. MFA does not apply to tokens.\n"
     "list: every token with its organisation, role, last use and revocation.\n"
     "revoke: the token stops working at once; it stays listed, marked revoked.\n"
     "Creating and revoking are recorded in the audit log.\n"},
    {"import", cmd_import,
     "varn import organisations|people|systems|components|information|risks FILE\n"
     "       varn import sbom FILE --system EXTERNAL_ID\n"
     "       varn import accounts|grants FILE [--system EXTERNAL_ID]",
     "add or update organisations, people, systems, components, information or risks from a "
     "CSV file",
     "Reads a CSV file with a header row (UTF-8, a BOM is accepted; comma or semicolon\n"
     "separated; quoted fields with \"\" for a quote and line breaks inside quotes):\n"
     "\n"
     "  organisations  code,name,kind,parent_code,org_number[,mfa_required]\n"
     "  people         user_id,name,email,organisation,manager_user_id,employment_start,\n"
     "                 employment_end,privileged[,disabled]\n"
     "  systems        external_id,name,organisation,system_owner,lifecycle,internet_facing,\n"
     "                 mfa_enforced,last_significant_change[,description,administrator,\n"
     "                 supplier,hosting,hosting_country,sso]\n"
     "  components     system_external_id,kind,name,vendor,product,version,cpe,licence_count,\n"
     "                 licences_in_use,licence_expiry,end_of_support[,licence_cost]\n"
     "  information    external_id,name,organisation,information_owner,k,r,t,personal_data,\n"
     "                 classified_at,systems[,description,secrecy_reference]\n"
     "  risks          external_id,assessment_title,organisation,assessed_on,title,threat,\n"
     "                 vulnerability,systems,inherent_likelihood,inherent_consequence,\n"
     "                 residual_likelihood,residual_consequence,treatment,owner[,information]\n"
     "  accounts       system,username,user_id,shared,privileged,mfa_enrolled,last_login,status\n"
     "  grants         the accounts columns and entitlement,granted_at (a row per grant)\n"
     "\n"
     "accounts and grants are the whole truth for the systems they name (--system: the one\n"
     "system of a file without a system column): accounts missing become removed, grants\n"
     "missing are revoked; it prints what was new, removed and changed.\n"
     "sbom reads a CycloneDX JSON SBOM into the software components of the system.\n"
     "Systems, information and risks are updated by external_id, components by system, kind\n"
     "and name; information and risks name systems as external ids separated by '|'; a\n"
     "risk's assessment is found by organisation, title and date, or made.\n"
     "Dates are YYYY-MM-DD, yes/no values true/false or ja/nej. Rows update existing\n"
     "organisations by code and people by user id, and may name parents or managers that\n"
     "come later in the file. Every problem is reported as FILE:LINE: column 'x': reason\n"
     "(the first 100), and then nothing is imported; otherwise all rows are applied in one\n"
     "transaction, each change recorded in the audit log. See docs/import.md.\n"},
    {"export", cmd_export, "varn export systems|information [--format csv|xlsx|json] [--org CODE]",
     "write the system catalog or the information assets to standard output",
     "Writes every system or information asset (of organisation CODE with --org) to standard\n"
     "output: csv (the default; UTF-8 with a BOM, semicolons, Swedish headers), xlsx (one\n"
     "sheet; redirect it to a file) or json ({\"items\": [...]}, the API's objects). Cells\n"
     "beginning with = + - @ are written behind an apostrophe so that no spreadsheet runs\n"
     "them. At most 20000 rows. The export is recorded in the audit log\n"
     "(systems.export, information.export). See docs/import.md.\n"},
    {"check", cmd_check, "varn check [--format text|json] [--org CODE]",
     "evaluate the policies and show what is met, due soon, overdue or missing",
     "Judges every obligation of the policy profiles assigned to the organisations (all of\n"
     "them, or CODE and nothing else) at this moment, or at VARN_NOW for a forecast, and\n"
     "prints the findings: text (the default) is a table per policy section with every\n"
     "finding that is not ok; json is {\"now\", \"findings\": [...], \"summary\"} with each\n"
     "finding's obligation, cite, organisation, subject, status, due and responsible.\n"
     "Obligations whose module Värn does not have yet are reported as not_tracked.\n"
     "Exit code: 0 all is met, 1 something is due soon, 2 something is overdue or\n"
     "missing, 3 the evaluation failed (for example a profile that does not validate).\n"
     "See docs/policy-profiles.md.\n"},
    {"report", cmd_report, "varn report risk [--org CODE] [--since YYYY-MM-DD] --output FILE.pdf",
     "write the risk report for IT-nämnden as PDF",
     "Writes the risk report (in Swedish, A4) for every organisation with a risk assessment,\n"
     "or for CODE alone: per organisation the assessments of the last 12 months and the share\n"
     "approved, the risks per band (inherent and residual), the 10 highest residual risks,\n"
     "the overdue measures, and the risks created or changed and the measures completed\n"
     "since YYYY-MM-DD (by default the date of the previous report of the same scope in the\n"
     "audit log, or else 90 days ago). The report is recorded in the audit log\n"
     "(risk_report.export) as made by cli:<your user name>. FILE is replaced.\n"},
    {"policy", cmd_policy,
     "varn policy validate FILE\n"
     "       varn policy import FILE\n"
     "       varn policy assign --org CODE PROFILE",
     "check, load and assign policy profiles",
     "validate: checks a policy profile (JSON, docs/policy-profiles.md) and names the\n"
     "obligation and field of the first problem; changes nothing.\n"
     "import: validates the file and loads it, replacing a loaded profile with its code.\n"
     "assign: organisation CODE follows PROFILE from now on (it may follow several).\n"
     "The built-in profiles itcentrum and ostersund are loaded by 'varn init'. Loading and\n"
     "assigning are recorded in the audit log.\n"},
    {"user", cmd_user,
     "varn user add USER_ID --name NAME --email EMAIL --org CODE [--role ROLE]... "
     "[--password-stdin]\n"
     "       varn user passwd USER_ID [--password-stdin]\n"
     "       varn user reset-mfa USER_ID",
     "add people, set their passwords, reset their two-step verification",
     "add: creates the person in organisation CODE with the roles given (user when none) and\n"
     "a password: one line read from standard input with --password-stdin, otherwise a\n"
     "generated one, printed once on standard output.\n"
     "passwd: sets a new password the same way; the person's sessions end and a lockout\n"
     "after failed logins is lifted.\n"
     "reset-mfa: removes the person's TOTP and recovery codes and ends their sessions; they\n"
     "set up two-step verification again at their next login.\n"
     "Passwords must be at least 12 characters and not a common password. Every change is\n"
     "audited with the actor cli:<your user name>.\n"},
    {"restore", cmd_restore, "varn restore FILE",
     "replace the database with a backup, after checking it",
     "Refuses a file that is not a Värn database, fails its integrity check, has a newer\n"
     "schema or an audit log whose hash chain does not verify. The replacement is one\n"
     "transaction: the live database is never half-written. A running server sees the\n"
     "restored data at once.\n"},
    {"audit", cmd_audit, "varn audit verify [--head HASH]", "check the audit log's hash chain",
     "Reads the whole audit log in order and checks that every entry's hash matches its\n"
     "contents, that each entry links to the one before it, that entries run 1, 2, 3 ...\n"
     "without gaps or repeats, and that their times never go back. Prints\n"
     "'audit log intact: N entries, head SEQ HASH' and exits 0, or names the first bad entry\n"
     "and exits 1.\n"
     "\n"
     "A chain alone cannot show that its newest entries were cut off, or that the whole log\n"
     "was rewritten: note the head now and then outside Värn (GET /api/v1/audit/head, or this\n"
     "command's output) and check against it.\n"
     "\n"
     "  --head HASH  a head noted earlier; exit 1 unless it is an entry of the chain\n"},
    {"demo", cmd_demo, "varn demo [--scale region]",
     "fill a new database with a fictional region to try Värn with",
     "After 'varn init': adds three fictional municipalities, a municipal company, a supplier\n"
     "and an external party below the IT centre, with about 40 people holding every role, in\n"
     "one transaction recorded in the audit log, and six systems whose accounts and grants\n"
     "show every access finding. Every demo person can log in with the same\n"
     "password: VARN_DEMO_PASSWORD, or a generated one printed once. Does nothing when the\n"
     "demo data is already there; refuses a database where only part of it is.\n"
     "\n"
     "  --scale region  also add the catalog and classification at region scale: 2 000\n"
     "                  systems with components and 4 000 classified information assets,\n"
     "                  each processed by one to three systems, risk management, and the\n"
     "                  region's 30 000 staff with 200 300 accounts and 500 000 grants, in\n"
     "                  one transaction (the demo region is created first when it is not\n"
     "                  there)\n"},
    /* Directory (LDAP / AD) import. */
    {"directory", cmd_directory,
     "varn directory sync NAME|ID [--org CODE] [--verbose]\n"
     "       varn directory list",
     "run a directory (LDAP / AD) sync now, or list the directory sources",
     "sync: reads the directory source NAME (of organisation CODE when several share the\n"
     "name) or ID now, in the foreground, and applies its users and mapped groups as the\n"
     "accounts and grants of the mapped systems, as a sync the server's worker runs does.\n"
     "Prints 'sync ID done: accounts N new, N removed, N changed; grants N new, N removed'\n"
     "and exits 0, or prints the sync's error (in Swedish) and exits 1; a failed sync\n"
     "changes nothing. The bind password is read from the environment variable the source\n"
     "names. VARN_DIRECTORY_TIMEOUT bounds each LDAP operation (seconds, default 30).\n"
     "--verbose also prints how many users and groups were read and how long reading the\n"
     "directory and applying took.\n"
     "list: every source with its organisation, URI and last sync.\n"
     "See docs/access.md.\n"},
};
const int cli_commands_count = (int)(sizeof(cli_commands) / sizeof(cli_commands[0]));

static void print_overview(FILE *out)
{
    fprintf(out,
            "Värn %s: information security management for municipal IT organisations\n\n"
            "usage: varn [--db PATH] COMMAND [OPTIONS]\n\n"
            "commands:\n",
            VARN_VERSION);
    for (int i = 0; i < cli_commands_count; i++)
        fprintf(out, "  %-10s %s\n", cli_commands[i].name, cli_commands[i].summary);
    fprintf(out,
            "\n"
            "global options:\n"
            "  --db PATH      the database (default ./varn.db, or VARN_DB)\n"
            "  --help         this text; 'varn COMMAND --help' for a command\n"
            "  --version      the version\n"
            "\n"
            "environment:\n"
            "  VARN_DB        the database, when --db is not given\n"
            "  VARN_NOW       an ISO 8601 instant to use as now, for tests and forecasts\n"
            "  VARN_LISTEN    the address for 'varn serve', when --listen is not given\n"
            "  VARN_SESSION_IDLE_MINUTES  end a session unused this long (default 30)\n"
            "  VARN_SESSION_MAX_HOURS     end every session this long after login (default 10)\n"
            "  VARN_DIRECTORY_TIMEOUT     seconds for each LDAP operation of a directory sync "
            "(default 30)\n"
            "\n"
            "exit codes: 0 success, 1 failure, 2 usage error\n");
}

static void print_command_help(const struct command *c)
{
    printf("usage: %s\n\n%s.\n\n%s", c->usage, c->summary, c->help);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "varn%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see 'varn %s%s--help')\n", cmd ? cmd : "", cmd ? " " : "");
    return CLI_USAGE;
}

int cli_fail(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "varn: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    return CLI_FAILED;
}

bool cli_option(int argc, char **argv, int *i, const char *name, const char **value)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0)
        return false;
    if (a[n] == '=') {
        *value = a + n + 1;
        (*i)++;
        return true;
    }
    if (a[n] != '\0')
        return false;
    *value = *i + 1 < argc ? argv[*i + 1] : NULL;
    *i += *value ? 2 : 1;
    return true;
}

static const struct command *find_command(const char *name)
{
    for (int i = 0; i < cli_commands_count; i++)
        if (strcmp(cli_commands[i].name, name) == 0)
            return &cli_commands[i];
    return NULL;
}

int main(int argc, char **argv)
{
    struct app app = {.db_url = getenv("VARN_DB")};
    int i = 1;
    const char *value;
    /* Global options come before the command; --db is also accepted after it. */
    while (i < argc && argv[i][0] == '-') {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            print_overview(stdout);
            return CLI_OK;
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("varn %s\n", VARN_VERSION);
            return CLI_OK;
        }
        if (cli_option(argc, argv, &i, "--db", &value)) {
            if (!value || !*value)
                return cli_usage_error(NULL, "--db needs a path");
            app.db_url = value;
            continue;
        }
        return cli_usage_error(NULL, "unknown option '%s'", argv[i]);
    }
    if (i >= argc) {
        print_overview(stderr);
        return CLI_USAGE;
    }
    const char *name = argv[i];
    if (strcmp(name, "help") == 0) {
        if (i + 1 >= argc) {
            print_overview(stdout);
            return CLI_OK;
        }
        const struct command *c = find_command(argv[i + 1]);
        if (!c)
            return cli_usage_error(NULL, "'%s' is not a varn command", argv[i + 1]);
        print_command_help(c);
        return CLI_OK;
    }
    const struct command *c = find_command(name);
    if (!c)
        return cli_usage_error(NULL, "'%s' is not a varn command", name);

    /* The command's own arguments, with --db and --help taken out here. */
    char **args = calloc((size_t)argc + 1, sizeof(*args));
    if (!args)
        return cli_fail("out of memory");
    int nargs = 0;
    args[nargs++] = argv[i];
    for (int j = i + 1; j < argc;) {
        if (strcmp(argv[j], "--help") == 0 || strcmp(argv[j], "-h") == 0) {
            print_command_help(c);
            free(args);
            return CLI_OK;
        }
        if (cli_option(argc, argv, &j, "--db", &value)) {
            if (!value || !*value) {
                free(args);
                return cli_usage_error(name, "--db needs a path");
            }
            app.db_url = value;
            continue;
        }
        args[nargs++] = argv[j++];
    }
    if (!app.db_url || !*app.db_url)
        app.db_url = "./varn.db";
    if (clock_init_from_env() != 0) {
        free(args);
        return cli_usage_error(NULL,
                               "VARN_NOW='%s' is not an ISO 8601 instant such as 2026-11-22 or "
                               "2026-11-22T08:00:00Z",
                               getenv("VARN_NOW"));
    }
    char msg[256] = "";
    if (auth_config_from_env(msg, sizeof(msg)) != 0) {
        free(args);
        return cli_usage_error(NULL, "%s", msg);
    }
    if (auth_init() != 0) {
        free(args);
        return cli_fail("cannot initialise libsodium and liboath");
    }
    int rc = c->run(nargs, args, &app);
    free(args);
    return rc;
}
