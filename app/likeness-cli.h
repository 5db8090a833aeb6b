/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "lk-job.h"
#include "lk-setting.h"

G_BEGIN_DECLS

/* Exit codes of likeness-cli, as --help lists them. */
enum {
  CLI_EXIT_OK = 0,
  CLI_EXIT_FAILED = 1,      /* the work failed: bad input, I/O, ... */
  CLI_EXIT_USAGE = 2,       /* wrong command line */
  CLI_EXIT_CANCELLED = 130, /* interrupted by Ctrl+C / SIGTERM */
};

typedef struct
{
  const char *name;
  const char *parameters;   /* e.g. "PROJECT" */
  const char *summary;
  int       (*run) (int argc, char **argv);
} CliCommand;

/* Parses a subcommand's options; prints --help or usage errors itself.
 * Returns -1 to go on, else the exit code to return. */
int       cli_parse            (GOptionContext  *context,
                                int             *argc,
                                char          ***argv,
                                int              min_args,
                                int              max_args);
GOptionContext *cli_context_new (const CliCommand *command);
const CliCommand *cli_find_command (const char *name);

/* Prints "likeness-cli: MESSAGE" on stderr. */
void      cli_error            (const char      *format,
                                ...) G_GNUC_PRINTF (1, 2);
void      cli_print_json       (JsonBuilder     *builder);
/* Adds "ok" and, on failure, "error" (the message) to an open object. */
void      cli_json_add_result  (JsonBuilder     *builder,
                                gboolean         ok,
                                const GError    *error);

/* Runs @work (which reports through @job) on a worker thread while the main
 * thread draws a progress line on a terminal (or prints a line every few
 * seconds when stderr is not one) and turns SIGINT/SIGTERM into a cancel.
 * Returns what @work returned, with @error set on failure. */
typedef gboolean (*CliWorkFunc) (LkJob    *job,
                                 gpointer  user_data,
                                 GError  **error);
gboolean  cli_run_job          (LkJob           *job,
                                CliWorkFunc      work,
                                gpointer         user_data,
                                gboolean         quiet,
                                GError         **error);

/* Exit code for a failed job: CANCELLED for a cancel, else FAILED, after
 * printing the error. */
int       cli_exit_for_error   (const GError    *error);

/* The options of a settings group, derived from its schema
 * (likeness-cli-settings.c). Call before adding the command's own entries:
 * they become the context's main group. The result lives as long as
 * @context. */
typedef struct _CliSettings CliSettings;

CliSettings *cli_settings_add   (GOptionContext       *context,
                                 const LkSettingGroup *group);
/* The options given, in order, into @instance (already checked while
 * parsing). */
gboolean     cli_settings_apply (CliSettings          *self,
                                 gpointer              instance,
                                 GError              **error);
gboolean     cli_settings_given (CliSettings          *self,
                                 const char           *key);
/* The options given, taken from @instance, stored in @project (one
 * transaction): what the command line says becomes the project's setting. */
struct _LkProject;
gboolean     cli_settings_store (CliSettings          *self,
                                 gconstpointer         instance,
                                 struct _LkProject    *project,
                                 GError              **error);

/* Subcommands */
int       cli_info             (int argc, char **argv);
int       cli_new              (int argc, char **argv);
int       cli_show             (int argc, char **argv);
int       cli_extract          (int argc, char **argv);
int       cli_swap             (int argc, char **argv);
int       cli_compare          (int argc, char **argv);
int       cli_train            (int argc, char **argv);
int       cli_curate           (int argc, char **argv);
int       cli_faces            (int argc, char **argv);
int       cli_include          (int argc, char **argv);
int       cli_exclude          (int argc, char **argv);
int       cli_delete_faces     (int argc, char **argv);
int       cli_convert          (int argc, char **argv);
int       cli_verify           (int argc, char **argv);

extern const CliCommand cli_commands[];

G_END_DECLS
