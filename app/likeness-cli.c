/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "likeness-cli"

#include "config.h"

#include <glib-unix.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include "likeness-cli.h"
#include "lk-engine.h"
#include "lk-error.h"
#include "lk-project.h"

const CliCommand cli_commands[] = {
  { "info", "", N_("Show the versions of the libraries and the compute device"), cli_info },
  { "new", N_("PROJECT"), N_("Create a project folder"), cli_new },
  { "show", N_("PROJECT"), N_("Summarise a project: sources, faces, settings"), cli_show },
  { "extract", N_("PROJECT --identity A|B FILE…"),
    N_("Find, align and store the faces of videos or photos"), cli_extract },
  { "train", N_("PROJECT [--iterations N | --minutes M]"),
    N_("Train the swap model; saves a checkpoint on exit and on Ctrl+C"), cli_train },
  { "curate", N_("PROJECT [--auto] [--identity A|B] [--dry-run]"),
    N_("Measure faces, group near-duplicates and exclude poor faces automatically"), cli_curate },
  { "faces", N_("PROJECT [--sort KEY] [--filter included|excluded]"),
    N_("List faces with their metrics, sorted and filtered"), cli_faces },
  { "include", N_("PROJECT ID…"), N_("Include faces for training"), cli_include },
  { "exclude", N_("PROJECT [--reason R] ID…"), N_("Exclude faces from training (undoable)"),
    cli_exclude },
  { "delete-faces", N_("PROJECT ID… --yes"), N_("Delete faces and their crop files"),
    cli_delete_faces },
  { "convert", N_("PROJECT TARGET -o OUTPUT [--direction A2B|B2A] [OPTION…]"),
    N_("Replace the faces of a video with the project's model and export it"), cli_convert },
  { "verify", N_("OUTPUT [--json]"),
    N_("Check an exported video against its provenance file"), cli_verify },
  { "swap", N_("--source A.mp4 --target B.mp4 -o OUT.mp4 [--minutes M | --iterations N]"),
    N_("Everything at once: extract, curate, train, export (resumable)"), cli_swap },
  { "compare", N_("IMAGE|VIDEO IMAGE|VIDEO [--json]"),
    N_("Say whether two photos or videos show the same person"), cli_compare },
  { NULL }
};

void
cli_error (const char *format,
           ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("likeness-cli: %s\n", message);
}

const CliCommand *
cli_find_command (const char *name)
{
  for (const CliCommand *c = cli_commands; c->name != NULL; c++)
    if (g_str_equal (c->name, name))
      return c;

  g_assert_not_reached ();
}

GOptionContext *
cli_context_new (const CliCommand *command)
{
  g_autofree char *parameter = g_strdup_printf ("%s %s", command->name,
                                                command->parameters[0] ? _(command->parameters) : "");
  GOptionContext *context = g_option_context_new (parameter);

  g_option_context_set_summary (context, _(command->summary));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);

  return context;
}

int
cli_parse (GOptionContext   *context,
           int              *argc,
           char           ***argv,
           int               min_args,
           int               max_args)
{
  g_autoptr(GError) error = NULL;
  int n_args;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      cli_error ("%s", error->message);
      g_printerr (_("Try “likeness-cli %s --help”.\n"), (*argv)[0]);
      return CLI_EXIT_USAGE;
    }

  /* argv[0] is the subcommand's name. */
  n_args = *argc - 1;
  if (n_args < min_args || (max_args >= 0 && n_args > max_args))
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      cli_error (n_args < min_args ? _("missing arguments") : _("too many arguments"));
      g_printerr ("%s", help);
      return CLI_EXIT_USAGE;
    }

  return -1;
}

void
cli_print_json (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

void
cli_json_add_result (JsonBuilder  *builder,
                     gboolean      ok,
                     const GError *error)
{
  json_builder_set_member_name (builder, "ok");
  json_builder_add_boolean_value (builder, ok);
  if (error != NULL)
    {
      json_builder_set_member_name (builder, "error");
      json_builder_add_string_value (builder, error->message);
    }
}

int
cli_exit_for_error (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      cli_error (_("interrupted"));
      return CLI_EXIT_CANCELLED;
    }

  cli_error ("%s", error->message);
  return CLI_EXIT_FAILED;
}

/* Running a job with a progress line */

typedef struct
{
  LkJob       *job;
  CliWorkFunc  work;
  gpointer     user_data;
  GError      *error;
  gboolean     ok;
  GMainContext *context;
  int          done;
  gboolean     tty;
  gboolean     quiet;
  gint64       last_print;
  int          last_width;
} JobRun;

static gpointer
job_thread (gpointer data)
{
  JobRun *run = data;

  run->ok = run->work (run->job, run->user_data, &run->error);
  /* The main thread iterates until it sees this; waking it up works
   * whether or not it is already waiting (a g_main_loop_quit() before
   * g_main_loop_run() would be lost). */
  g_atomic_int_set (&run->done, TRUE);
  g_main_context_wakeup (run->context);

  return NULL;
}

static void
format_duration (GString *out,
                 double   seconds)
{
  int s;

  if (!isfinite (seconds) || seconds < 0)
    return;

  s = (int) (seconds + 0.5);
  if (s >= 3600)
    g_string_append_printf (out, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
  else
    g_string_append_printf (out, "%d:%02d", s / 60, s % 60);
}

static void
draw_progress (JobRun   *run,
               gboolean  final)
{
  g_autofree char *message = lk_job_dup_message (run->job);
  double fraction = lk_job_get_fraction (run->job);
  double remaining = lk_job_get_remaining (run->job);
  g_autoptr(GString) line = g_string_new (NULL);
  gint64 now = g_get_monotonic_time ();

  if (run->quiet)
    return;

  if (!run->tty)
    {
      /* A log line every 5 s (and at the end) when piped. */
      if (!final && now - run->last_print < 5 * G_USEC_PER_SEC)
        return;
      run->last_print = now;
      g_printerr ("%3.0f%%  %s\n", fraction * 100.0, message ? message : "");
      return;
    }

  {
    const int width = 24;
    int filled = (int) (fraction * width + 0.5);

    g_string_append_c (line, '[');
    for (int i = 0; i < width; i++)
      g_string_append (line, i < filled ? "#" : "-");
    g_string_append_printf (line, "] %3.0f%%  ", fraction * 100.0);
    if (message != NULL)
      g_string_append (line, message);
    if (!final && isfinite (remaining) && fraction > 0.01)
      {
        g_string_append (line, "  ");
        g_string_append (line, _("left"));
        g_string_append_c (line, ' ');
        format_duration (line, remaining);
      }
  }

  /* Pad over what the previous line left. */
  {
    int len = (int) g_utf8_strlen (line->str, -1);

    g_printerr ("\r%s%*s", line->str, MAX (0, run->last_width - len), "");
    run->last_width = len;
  }
  if (final)
    g_printerr ("\n");
}

static void
on_job_notify (JobRun *run)
{
  draw_progress (run, FALSE);
}

static gboolean
on_signal (gpointer data)
{
  JobRun *run = data;

  lk_job_cancel (run->job);

  return G_SOURCE_CONTINUE;
}

gboolean
cli_run_job (LkJob        *job,
             CliWorkFunc   work,
             gpointer      user_data,
             gboolean      quiet,
             GError      **error)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();
  JobRun run = { 0 };
  GThread *thread;
  guint sigint, sigterm;
  gulong handler;

  run.job = job;
  run.work = work;
  run.user_data = user_data;
  run.context = context;
  run.tty = isatty (STDERR_FILENO);
  run.quiet = quiet;
  run.last_print = g_get_monotonic_time ();

  handler = g_signal_connect_swapped (job, "notify::fraction", G_CALLBACK (on_job_notify), &run);
  sigint = g_unix_signal_add (SIGINT, on_signal, &run);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, &run);

  thread = g_thread_new ("likeness-cli-job", job_thread, &run);
  while (!g_atomic_int_get (&run.done))
    g_main_context_iteration (context, TRUE);
  g_thread_join (thread);

  /* Deliver the last pending notifications before drawing the final line. */
  while (g_main_context_iteration (context, FALSE))
    ;
  draw_progress (&run, TRUE);

  g_signal_handler_disconnect (job, handler);
  g_source_remove (sigint);
  g_source_remove (sigterm);

  if (!run.ok)
    {
      g_propagate_error (error, run.error);
      return FALSE;
    }

  return TRUE;
}

/* Subcommands of this file */

int
cli_info (int    argc,
          char **argv)
{
  g_autoptr(GOptionContext) context = cli_context_new (cli_find_command ("info"));
  g_auto(GStrv) versions = NULL;
  g_autofree char *device = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  int ret;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if ((ret = cli_parse (context, &argc, &argv, 0, 0)) >= 0)
    return ret;

  versions = lk_engine_get_versions ();
  device = lk_engine_get_device_name ();

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "versions");
      json_builder_begin_object (builder);
      for (guint i = 0; versions[i] != NULL && versions[i + 1] != NULL; i += 2)
        {
          json_builder_set_member_name (builder, versions[i]);
          json_builder_add_string_value (builder, versions[i + 1]);
        }
      json_builder_end_object (builder);
      json_builder_set_member_name (builder, "device");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "kind");
      json_builder_add_string_value (builder, lk_engine_get_device_kind ());
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, device);
      json_builder_end_object (builder);
      json_builder_set_member_name (builder, "landmark-model");
      json_builder_add_string_value (builder, LK_LANDMARK_MODEL_DEFAULT);
      json_builder_end_object (builder);
      cli_print_json (builder);
    }
  else
    {
      for (guint i = 0; versions[i] != NULL && versions[i + 1] != NULL; i += 2)
        g_print ("%-12s %s\n", versions[i], versions[i + 1]);
      g_print ("%-12s %s (%s)\n", "device", device, lk_engine_get_device_kind ());
    }

  return CLI_EXIT_OK;
}

int
cli_new (int    argc,
         char **argv)
{
  g_autoptr(GOptionContext) context = cli_context_new (cli_find_command ("new"));
  g_autoptr(LkProject) project = NULL;
  g_autoptr(GError) error = NULL;
  int ret;

  if ((ret = cli_parse (context, &argc, &argv, 1, 1)) >= 0)
    return ret;

  project = lk_project_create (argv[1], &error);
  if (project == NULL)
    return cli_exit_for_error (error);

  g_print ("%s\n", lk_project_get_path (project));

  return CLI_EXIT_OK;
}

int
cli_show (int    argc,
          char **argv)
{
  g_autoptr(GOptionContext) context = cli_context_new (cli_find_command ("show"));
  g_autoptr(LkProject) project = NULL;
  g_autoptr(GPtrArray) sources = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  int ret;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if ((ret = cli_parse (context, &argc, &argv, 1, 1)) >= 0)
    return ret;

  project = lk_project_open (argv[1], &error);
  if (project == NULL)
    return cli_exit_for_error (error);

  sources = lk_project_list_sources (project, -1, &error);
  if (sources == NULL)
    return cli_exit_for_error (error);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "path");
  json_builder_add_string_value (builder, lk_project_get_path (project));
  json_builder_set_member_name (builder, "schema-version");
  json_builder_add_int_value (builder, lk_project_get_schema_version (project));
  for (LkIdentity id = LK_IDENTITY_A; id <= LK_IDENTITY_B; id++)
    {
      json_builder_set_member_name (builder, lk_identity_to_string (id));
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "faces");
      json_builder_add_int_value (builder, lk_project_count_faces (project, id, FALSE));
      json_builder_set_member_name (builder, "included");
      json_builder_add_int_value (builder, lk_project_count_faces (project, id, TRUE));
      json_builder_set_member_name (builder, "sources");
      json_builder_begin_array (builder);
      for (guint i = 0; i < sources->len; i++)
        {
          LkSource *source = sources->pdata[i];

          if (source->identity == id)
            json_builder_add_string_value (builder, source->path);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);

  if (json)
    {
      cli_print_json (builder);
      return CLI_EXIT_OK;
    }

  g_print (_("Project %s (%s)\n"), lk_project_get_name (project), lk_project_get_path (project));
  for (LkIdentity id = LK_IDENTITY_A; id <= LK_IDENTITY_B; id++)
    {
      g_print (_("Identity %s: %u faces, %u included\n"), lk_identity_to_string (id),
               lk_project_count_faces (project, id, FALSE),
               lk_project_count_faces (project, id, TRUE));
      for (guint i = 0; i < sources->len; i++)
        {
          LkSource *source = sources->pdata[i];

          if (source->identity == id)
            g_print ("  %s\n", source->path);
        }
    }

  return CLI_EXIT_OK;
}

/* main */

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n  likeness-cli %s\n\n", _("Usage:"), _("COMMAND [OPTION…] [ARGUMENT…]"));
  fprintf (out, "%s\n", _("Likeness: face replacement in video, from the command line."));
  fprintf (out, "\n%s\n", _("Commands:"));
  for (const CliCommand *c = cli_commands; c->name != NULL; c++)
    {
      g_autofree char *head = g_strdup_printf ("%s %s", c->name,
                                               c->parameters[0] ? _(c->parameters) : "");
      /* Long synopses get the summary on a line of its own. */
      /* Padded by characters, not bytes ("…" is three bytes). */
      glong len = g_utf8_strlen (head, -1);

      if (len > 24)
        fprintf (out, "  %s\n  %-24s %s\n", head, "", _(c->summary));
      else
        fprintf (out, "  %s%*s %s\n", head, (int) (24 - len), "", _(c->summary));
    }
  fprintf (out, "\n%s\n", _("Options:"));
  fprintf (out, "  %-24s %s\n", "-h, --help", _("Show this help, or a command’s with COMMAND --help"));
  fprintf (out, "  %-24s %s\n", "--version", _("Show the version"));
  fprintf (out, "\n%s\n", _("Exit status:"));
  fprintf (out, "  0    %s\n", _("success"));
  fprintf (out, "  1    %s\n", _("the work failed (the message says why)"));
  fprintf (out, "  2    %s\n", _("wrong command line"));
  fprintf (out, "  130  %s\n", _("interrupted (Ctrl+C); finished work is kept"));
}

int
main (int    argc,
      char **argv)
{
  const char *localedir = g_getenv ("LIKENESS_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("likeness-cli");

  if (argc < 2)
    {
      print_usage (stderr);
      return CLI_EXIT_USAGE;
    }

  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
      g_str_equal (argv[1], "help"))
    {
      print_usage (stdout);
      return CLI_EXIT_OK;
    }

  if (g_str_equal (argv[1], "--version"))
    {
      g_print ("likeness-cli %s\n", PACKAGE_VERSION);
      return CLI_EXIT_OK;
    }

  for (const CliCommand *c = cli_commands; c->name != NULL; c++)
    {
      if (g_str_equal (argv[1], c->name))
        {
          lk_engine_init (0);
          return c->run (argc - 1, argv + 1);
        }
    }

  cli_error (_("unknown command “%s”"), argv[1]);
  print_usage (stderr);

  return CLI_EXIT_USAGE;
}
