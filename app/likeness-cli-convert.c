/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "likeness-cli"

#include "config.h"

#include <inttypes.h>

#include <math.h>

#include "likeness-cli.h"
#include "lk-converter.h"
#include "lk-error.h"
#include "lk-export.h"
#include "lk-project.h"
#include "lk-provenance.h"

/* ---- likeness-cli convert ---------------------------------------------------- */

typedef struct
{
  LkProject       *project;
  const char      *target;
  const char      *output;
  const char      *checkpoint;
  LkConvertParams  params;
  LkExportSummary  summary;
} ConvertRun;

static gboolean
convert_work (LkJob    *job,
              gpointer  user_data,
              GError  **error)
{
  ConvertRun *run = user_data;

  return lk_export_run (run->project, run->target, run->output, run->checkpoint, &run->params,
                        job, &run->summary, error);
}

/* "12.5" (seconds), "1:02.5" / "0:01:02.5" (minutes, hours), or "150f"
 * (a frame index). */
static gboolean
parse_position (const char *text,
                double     *seconds,
                gint64     *frame)
{
  g_auto(GStrv) parts = NULL;
  char *end;
  double total = 0;
  guint n;

  *seconds = -1;
  *frame = -1;
  if (text == NULL || *text == '\0')
    return FALSE;
  if (g_str_has_suffix (text, "f"))
    {
      gint64 v = g_ascii_strtoll (text, &end, 10);

      if (end == text || *end != 'f' || end[1] != '\0' || v < 0)
        return FALSE;
      *frame = v;
      return TRUE;
    }
  parts = g_strsplit (text, ":", -1);
  n = g_strv_length (parts);
  if (n < 1 || n > 3)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      double v = g_ascii_strtod (parts[i], &end);

      if (end == parts[i] || *end != '\0' || v < 0 || !isfinite (v))
        return FALSE;
      total = total * 60 + v;
    }
  *seconds = total;
  return TRUE;
}

static void
print_convert_json (const ConvertRun *run,
                    gboolean          ok,
                    const GError     *error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  const LkExportSummary *s = &run->summary;

  json_builder_begin_object (b);
  cli_json_add_result (b, ok, error);
  if (error != NULL)
    {
      json_builder_set_member_name (b, "cancelled");
      json_builder_add_boolean_value (b, g_error_matches (error, G_IO_ERROR,
                                                          G_IO_ERROR_CANCELLED));
    }
#define STR_MEMBER(name, value) G_STMT_START { \
    json_builder_set_member_name (b, name); \
    if ((value) != NULL) json_builder_add_string_value (b, value); \
    else json_builder_add_null_value (b); } G_STMT_END
#define INT_MEMBER(name, value) G_STMT_START { \
    json_builder_set_member_name (b, name); json_builder_add_int_value (b, value); } G_STMT_END
  STR_MEMBER ("target", run->target);
  STR_MEMBER ("output", ok ? s->output : NULL);
  STR_MEMBER ("sidecar", s->sidecar);
  STR_MEMBER ("direction", lk_convert_direction_to_string (run->params.direction));
  STR_MEMBER ("checkpoint", s->checkpoint);
  STR_MEMBER ("checkpoint-sha256", s->checkpoint_sha256);
  STR_MEMBER ("output-sha256", s->output_sha256);
  STR_MEMBER ("audio", s->audio);
  INT_MEMBER ("frames", s->frames);
  INT_MEMBER ("frames-with-faces", s->frames_with_faces);
  INT_MEMBER ("frames-without-face", s->frames_without_face);
  INT_MEMBER ("faces", s->faces);
  INT_MEMBER ("detections", s->detections);
  INT_MEMBER ("export-id", s->export_id);
#undef STR_MEMBER
#undef INT_MEMBER
  json_builder_set_member_name (b, "seconds");
  json_builder_add_double_value (b, s->seconds);
  json_builder_set_member_name (b, "frames-per-second");
  json_builder_add_double_value (b, s->frames_per_second);
  json_builder_set_member_name (b, "settings");
  json_builder_add_value (b, lk_convert_params_to_json (&run->params));
  json_builder_end_object (b);
  cli_print_json (b);
}

int
cli_convert (int    argc,
             char **argv)
{
  g_autoptr(GOptionContext) context = cli_context_new (cli_find_command ("convert"));
  g_autoptr(LkProject) project = NULL;
  g_autoptr(LkJob) job = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL, *checkpoint = NULL;
  g_autofree char *start = NULL, *end = NULL;
  gboolean json = FALSE, quiet = FALSE, ok;
  ConvertRun run = { 0 };
  LkConvertParams *p = &run.params;
  CliSettings *settings;
  int ret;

  /* Every mask, export and conversion setting is an option, from the
   * schema (lk-convert-params.c). */
  settings = cli_settings_add (context, lk_convert_params_get_schema ());
  {
    const GOptionEntry entries[] = {
      { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
        N_("The video to write (.mp4, .mkv, .mov; .webm for VP9)"), "FILE" },
      { "checkpoint", 0, 0, G_OPTION_ARG_FILENAME, &checkpoint,
        N_("The model checkpoint (default: the project's newest)"), "FILE" },
      { "start", 0, 0, G_OPTION_ARG_STRING, &start,
        N_("Start at this time (seconds or [h:]m:s) or frame (e.g. 120f)"), "T" },
      { "end", 0, 0, G_OPTION_ARG_STRING, &end,
        N_("Stop at this time (excluded) or frame (included, e.g. 239f)"), "T" },
      { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a JSON summary"), NULL },
      { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("No progress line"), NULL },
      { NULL }
    };

    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
    g_option_context_set_description (context,
      _("Settings not given come from the project (the studio's Masks and Export pages).\n"
        "Every export is marked as synthetic media: container tags and a provenance file\n"
        "OUTPUT.likeness.json (check it with “likeness-cli verify OUTPUT”)."));
    if ((ret = cli_parse (context, &argc, &argv, 2, 2)) >= 0)
      return ret;
  }

  if (output == NULL)
    {
      cli_error (_("--output is required"));
      return CLI_EXIT_USAGE;
    }

  project = lk_project_open (argv[1], &error);
  if (project == NULL)
    return cli_exit_for_error (error);
  *p = lk_convert_params_from_project (project);
  if (!cli_settings_apply (settings, p, &error))
    {
      cli_error ("%s", error->message);
      return CLI_EXIT_USAGE;
    }
  if (start != NULL || end != NULL)
    {
      p->start_frame = p->end_frame = -1;
      p->start_time = p->end_time = -1;
    }
  if (start != NULL && !parse_position (start, &p->start_time, &p->start_frame))
    {
      cli_error (_("--start “%s” is neither a time nor a frame (e.g. 2.5, 1:02 or 120f)"),
                 start);
      return CLI_EXIT_USAGE;
    }
  if (end != NULL && !parse_position (end, &p->end_time, &p->end_frame))
    {
      cli_error (_("--end “%s” is neither a time nor a frame (e.g. 2.5, 1:02 or 239f)"), end);
      return CLI_EXIT_USAGE;
    }
  if (!lk_convert_params_validate (p, &error))
    {
      cli_error ("%s", error->message);
      return CLI_EXIT_USAGE;
    }

  /* What fails at once is checked here, before the job starts. */
  if (!g_file_test (argv[2], G_FILE_TEST_IS_REGULAR))
    {
      cli_error (_("%s does not exist"), argv[2]);
      return CLI_EXIT_FAILED;
    }
  if (checkpoint == NULL)
    {
      checkpoint = lk_convert_find_checkpoint (project, NULL, &error);
      if (checkpoint == NULL)
        return cli_exit_for_error (error);
    }

  run.project = project;
  run.target = argv[2];
  run.output = output;
  run.checkpoint = checkpoint;
  run.summary.export_id = -1;

  job = lk_job_new (_("Converting"));
  ok = cli_run_job (job, convert_work, &run, quiet || json, &error);

  if (json)
    print_convert_json (&run, ok, error);
  else if (ok)
    {
      g_print (_("%s: %" PRIu64 " frames (%" PRIu64 " with a face, %"
                 PRIu64 " without) in %.1f s, %.1f frames/s\n"),
               run.summary.output, run.summary.frames, run.summary.frames_with_faces,
               run.summary.frames_without_face, run.summary.seconds,
               run.summary.frames_per_second);
      if (run.summary.sidecar != NULL)
        g_print (_("Provenance: %s\n"), run.summary.sidecar);
    }
  lk_export_summary_clear (&run.summary);

  if (!ok)
    return cli_exit_for_error (error);
  return CLI_EXIT_OK;
}

/* ---- likeness-cli verify ----------------------------------------------------- */

int
cli_verify (int    argc,
            char **argv)
{
  g_autoptr(GOptionContext) context = cli_context_new (cli_find_command ("verify"));
  g_autoptr(LkProvenanceReport) report = NULL;
  g_autoptr(GError) error = NULL;
  gboolean json = FALSE, ok;
  int ret;

  {
    const GOptionEntry entries[] = {
      { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a JSON report"), NULL },
      { NULL }
    };

    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
    if ((ret = cli_parse (context, &argc, &argv, 1, 1)) >= 0)
      return ret;
  }

  ok = lk_provenance_verify (argv[1], &report, NULL, &error);
  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      cli_json_add_result (b, ok, error);
      json_builder_set_member_name (b, "output");
      json_builder_add_string_value (b, argv[1]);
      if (report != NULL)
        {
#define STR_MEMBER(name, value) G_STMT_START { \
    json_builder_set_member_name (b, name); \
    if ((value) != NULL) json_builder_add_string_value (b, value); \
    else json_builder_add_null_value (b); } G_STMT_END
          STR_MEMBER ("sidecar", report->sidecar);
          STR_MEMBER ("expected-sha256", report->expected_sha256);
          STR_MEMBER ("actual-sha256", report->actual_sha256);
          STR_MEMBER ("generator", report->generator);
          STR_MEMBER ("created", report->created);
          STR_MEMBER ("direction", report->direction);
          STR_MEMBER ("checkpoint-sha256", report->checkpoint_sha256);
          STR_MEMBER ("target-sha256", report->target_sha256);
#undef STR_MEMBER
          json_builder_set_member_name (b, "hash-matches");
          json_builder_add_boolean_value (b, report->hash_matches);
          json_builder_set_member_name (b, "metadata-synthetic");
          json_builder_add_boolean_value (b, report->metadata_synthetic);
        }
      json_builder_end_object (b);
      cli_print_json (b);
    }
  else if (ok)
    g_print (_("%s: provenance verified — SHA-256 %s matches %s; %s; made by %s on %s\n"),
             argv[1], report->actual_sha256, report->sidecar,
             report->metadata_synthetic ? _("the file is tagged as synthetic media")
                                        : _("no container tags (exported without them)"),
             report->generator != NULL ? report->generator : "?",
             report->created != NULL ? report->created : "?");
  else
    cli_error ("%s", error->message);

  return ok ? CLI_EXIT_OK : CLI_EXIT_FAILED;
}
