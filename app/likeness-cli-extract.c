/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "likeness-cli"

#include "config.h"

#include "likeness-cli.h"
#include "lk-extractor.h"
#include "lk-project.h"

typedef struct
{
  LkProject        *project;
  LkIdentity        identity;
  char            **paths;
  LkExtractParams   params;
  LkExtractSummary  summary;
} ExtractRun;

static gboolean
extract_work (LkJob    *job,
              gpointer  user_data,
              GError  **error)
{
  ExtractRun *run = user_data;

  return lk_extract_sources (run->project, run->identity, (const char * const *) run->paths,
                             &run->params, job, &run->summary, error);
}

static void
print_summary_json (const ExtractRun *run,
                    gboolean          ok,
                    const GError     *error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  const LkExtractSummary *s = &run->summary;

  json_builder_begin_object (b);
  cli_json_add_result (b, ok, error);
  json_builder_set_member_name (b, "identity");
  json_builder_add_string_value (b, lk_identity_to_string (run->identity));
#define INT_MEMBER(name, value) \
  json_builder_set_member_name (b, name); json_builder_add_int_value (b, value)
  INT_MEMBER ("sources", s->sources);
  INT_MEMBER ("sources-skipped", s->sources_skipped);
  INT_MEMBER ("frames-decoded", s->frames_decoded);
  INT_MEMBER ("frames-processed", s->frames_processed);
  INT_MEMBER ("frames-already-done", s->frames_already_done);
  INT_MEMBER ("frames-with-faces", s->frames_with_faces);
  INT_MEMBER ("faces", s->faces);
  INT_MEMBER ("detections", s->detections);
#undef INT_MEMBER
  json_builder_set_member_name (b, "seconds");
  json_builder_add_double_value (b, s->seconds);
  json_builder_set_member_name (b, "frames-per-second");
  json_builder_add_double_value (b, s->frames_per_second);
  json_builder_end_object (b);
  cli_print_json (b);
}

int
cli_extract (int    argc,
             char **argv)
{
  g_autoptr(GOptionContext) context = cli_context_new (cli_find_command ("extract"));
  g_autoptr(LkProject) project = NULL;
  g_autoptr(LkJob) job = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *identity_name = NULL;
  g_autofree char *cnn_model = NULL;
  ExtractRun run = { 0 };
  gboolean json = FALSE, cnn = FALSE, quiet = FALSE, no_descriptors = FALSE;
  int every = 1, min_size, upsample, size, redetect, max_faces;
  double coverage = 0;
  int ret, identity;
  gboolean ok;

  run.params = lk_extract_params_default ();
  min_size = run.params.min_face_size;
  upsample = run.params.upsample;
  size = run.params.crop_size;
  redetect = run.params.redetect_interval;
  max_faces = run.params.max_faces;

  {
    const GOptionEntry entries[] = {
      { "identity", 'i', 0, G_OPTION_ARG_STRING, &identity_name,
        N_("Whose faces these are: A (the source person) or B (the target)"), "A|B" },
      { "every", 'n', 0, G_OPTION_ARG_INT, &every, N_("Look at every Nth frame (default 1)"), "N" },
      { "min-size", 0, 0, G_OPTION_ARG_INT, &min_size,
        N_("Ignore faces smaller than this, in pixels (default 40)"), "PX" },
      { "upsample", 0, 0, G_OPTION_ARG_INT, &upsample,
        N_("Detector upsampling: finds smaller faces, 4x slower each (default 0)"), "N" },
      { "cnn", 0, 0, G_OPTION_ARG_NONE, &cnn,
        N_("Use the CNN detector (turned, small or dim faces; slow on a CPU)"), NULL },
      { "cnn-model", 0, 0, G_OPTION_ARG_FILENAME, &cnn_model,
        N_("The CNN detector's model file (mmod_human_face_detector.dat)"), "FILE" },
      { "redetect", 0, 0, G_OPTION_ARG_INT, &redetect,
        N_("Run the full detector at least every N frames; faces are tracked between (default 10)"), "N" },
      { "max-faces", 0, 0, G_OPTION_ARG_INT, &max_faces,
        N_("Keep at most N faces per frame, the largest (default: all)"), "N" },
      { "size", 0, 0, G_OPTION_ARG_INT, &size, N_("Side of the aligned crops in pixels (default 256)"), "PX" },
      { "coverage", 0, 0, G_OPTION_ARG_DOUBLE, &coverage,
        N_("How much of the crop the face template fills, 0.3-1 (default 0.625)"), "F" },
      { "no-descriptors", 0, 0, G_OPTION_ARG_NONE, &no_descriptors,
        N_("Store no identity descriptors (faster; they are computed when a sort or "
           "the curation needs them)"), NULL },
      { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a JSON summary"), NULL },
      { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("No progress line"), NULL },
      { NULL }
    };

    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
    if ((ret = cli_parse (context, &argc, &argv, 2, -1)) >= 0)
      return ret;
  }

  identity = lk_identity_from_string (identity_name);
  if (identity < 0)
    {
      cli_error (_("--identity must be A or B"));
      return CLI_EXIT_USAGE;
    }
  if (every < 1 || min_size < 0 || upsample < 0 || upsample > 3 || redetect < 0 || max_faces < 0 ||
      (size != 64 && size != 128 && size != 256 && size != 512) ||
      (coverage != 0 && (coverage < 0.3 || coverage > 1.0)))
    {
      cli_error (_("an option is out of range; see “likeness-cli extract --help”"));
      return CLI_EXIT_USAGE;
    }

  project = lk_project_open (argv[1], &error);
  if (project == NULL)
    return cli_exit_for_error (error);

  run.project = project;
  run.identity = identity;
  run.paths = argv + 2;
  run.params.every_nth = every;
  run.params.min_face_size = min_size;
  run.params.upsample = upsample;
  run.params.cnn = cnn;
  run.params.descriptors = !no_descriptors;
  run.params.cnn_model = cnn_model;
  run.params.redetect_interval = redetect;
  run.params.max_faces = max_faces;
  run.params.crop_size = size;
  run.params.coverage = coverage;

  job = lk_job_new (_("Extracting faces"));
  ok = cli_run_job (job, extract_work, &run, quiet || json, &error);

  if (json)
    print_summary_json (&run, ok, error);
  else if (ok)
    g_print (_("%u faces from %u frames of %u files (%u frames already done) in %.1f s, %.1f frames/s\n"),
             run.summary.faces, run.summary.frames_processed, run.summary.sources,
             run.summary.frames_already_done, run.summary.seconds, run.summary.frames_per_second);

  if (!ok)
    return cli_exit_for_error (error);

  return CLI_EXIT_OK;
}
