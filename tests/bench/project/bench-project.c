/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The studio's reads while a worker writes: a project of 3,000 synthetic
 * faces; a writer thread commits a batch every 55 ms (metrics of 600 faces
 * and 20 loss points, in a transaction each, as curation and training do);
 * meanwhile this thread lists all faces sorted by sharpness and reads one
 * face, a few ms apart, in rounds of 1.5 s; the three cases take turns so
 * that other load on the machine falls on each alike: no writer; the
 * writer, with every read on the writable connection (as before there was
 * a read connection); the writer, with the read connection. Median, 95th
 * percentile and maximum wall time of each read, and the CPU time of a
 * listing. Prints; never fails on time.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "lk-faces.h"
#include "lk-project-db.h"
#include "lk-project-runs.h"

#define N_FACES      3000
#define BATCH        600
#define PERIOD_US    55000
#define ROUND_US     (1500 * 1000)
#define N_ROUNDS     4

typedef struct
{
  LkProject     *project;
  const gint64  *ids;
  gint64         run_id;
  gint           stop;      /* atomic */
  guint          batches;
  double         batch_ms;  /* summed */
} Writer;

static gpointer
writer_thread (gpointer data)
{
  Writer *w = data;
  g_autofree LkFaceMetrics *metrics = g_new (LkFaceMetrics, BATCH);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  gint64 next = g_get_monotonic_time ();
  gint64 iteration = 0;

  while (!g_atomic_int_get (&w->stop))
    {
      g_autoptr(GError) error = NULL;
      LkLossPoint points[20];
      guint first = (w->batches * BATCH) % (N_FACES - BATCH);
      gint64 start = g_get_monotonic_time ();

      for (guint i = 0; i < BATCH; i++)
        {
          lk_face_metrics_init (&metrics[i]);
          metrics[i].sharpness = g_rand_double_range (rand, 1, 500);
          metrics[i].exposure = g_rand_double (rand);
          metrics[i].yaw = g_rand_double_range (rand, -60, 60);
        }
      for (guint i = 0; i < G_N_ELEMENTS (points); i++)
        points[i] = (LkLossPoint) { .iteration = ++iteration, .elapsed = iteration * 0.1,
                                    .loss_a = 0.1f, .loss_b = 0.1f };

      if (!lk_project_store_metrics (w->project, w->ids + first, metrics, BATCH, &error) ||
          !lk_project_add_losses (w->project, w->run_id, points, NULL, G_N_ELEMENTS (points),
                                  iteration, FALSE, &error))
        g_error ("%s", error->message);
      w->batch_ms += (g_get_monotonic_time () - start) / 1000.0;
      w->batches++;

      next += PERIOD_US;
      if (next > g_get_monotonic_time ())
        g_usleep (next - g_get_monotonic_time ());
      else
        next = g_get_monotonic_time ();
    }

  return NULL;
}

/* The calling thread's CPU time: what a read costs, apart from waiting and
 * from other processes on a shared machine. */
static gint64
cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

typedef struct
{
  GArray *list_ms;
  GArray *list_cpu_ms;
  GArray *get_ms;
  guint   batches;
  double  batch_ms;
} Figures;

static void
figures_init (Figures *fig)
{
  fig->list_ms = g_array_new (FALSE, FALSE, sizeof (double));
  fig->list_cpu_ms = g_array_new (FALSE, FALSE, sizeof (double));
  fig->get_ms = g_array_new (FALSE, FALSE, sizeof (double));
}

static void
figures_clear (Figures *fig)
{
  g_array_unref (fig->list_ms);
  g_array_unref (fig->list_cpu_ms);
  g_array_unref (fig->get_ms);
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* The @q quantile (0..1) of @values, which it sorts. */
static double
quantile (GArray *values,
          double  q)
{
  guint i;

  if (values->len == 0)
    return NAN;
  g_array_sort (values, compare_double);
  i = MIN ((guint) (q * values->len), values->len - 1);
  return g_array_index (values, double, i);
}

/* One round of reads, ROUND_US long; @writer NULL: none. */
static void
measure (Figures      *fig,
         LkProject    *project,
         const gint64 *ids,
         gboolean      single_connection,
         Writer       *writer)
{
  g_autoptr(GRand) rand = g_rand_new ();
  g_autoptr(GThread) thread = NULL;
  gint64 end;

  _lk_project_set_single_connection (project, single_connection);
  if (writer != NULL)
    {
      writer->stop = 0;
      writer->batches = 0;
      writer->batch_ms = 0;
      thread = g_thread_new ("writer", writer_thread, writer);
    }

  end = g_get_monotonic_time () + ROUND_US;
  while (g_get_monotonic_time () < end)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) faces = NULL;
      g_autoptr(LkFace) face = NULL;
      gint64 start, cpu_start;
      double ms;

      start = g_get_monotonic_time ();
      cpu_start = cpu_us ();
      faces = lk_project_list_faces (project, -1, LK_FACE_FILTER_ALL, NULL, "sharpness", TRUE,
                                     &error);
      if (faces == NULL)
        g_error ("%s", error->message);
      ms = (cpu_us () - cpu_start) / 1000.0;
      g_array_append_val (fig->list_cpu_ms, ms);
      ms = (g_get_monotonic_time () - start) / 1000.0;
      g_array_append_val (fig->list_ms, ms);

      start = g_get_monotonic_time ();
      face = lk_project_get_face (project, ids[g_rand_int_range (rand, 0, N_FACES)], &error);
      ms = (g_get_monotonic_time () - start) / 1000.0;
      if (face == NULL)
        g_error ("%s", error->message);
      g_array_append_val (fig->get_ms, ms);

      /* The studio does not read in a tight loop either. */
      g_usleep (5000 + g_rand_int_range (rand, 0, 10000));
    }

  if (thread != NULL)
    {
      g_atomic_int_set (&writer->stop, 1);
      g_thread_join (g_steal_pointer (&thread));
      fig->batches += writer->batches;
      fig->batch_ms += writer->batch_ms;
    }
}

static void
print_figures (Figures    *fig,
               const char *label,
               const char *key)
{
  double list_median = quantile (fig->list_ms, 0.5), list_p95 = quantile (fig->list_ms, 0.95);
  double list_max = quantile (fig->list_ms, 1.0), list_cpu = quantile (fig->list_cpu_ms, 0.5);
  double get_median = quantile (fig->get_ms, 0.5), get_p95 = quantile (fig->get_ms, 0.95);
  double get_max = quantile (fig->get_ms, 1.0);

  g_print ("  %-32s %6.1f %6.1f %6.1f %6.1f   %6.2f %6.2f %6.2f   %4u", label, list_median,
           list_p95, list_max, list_cpu, get_median, get_p95, get_max, fig->list_ms->len);
  if (fig->batches > 0)
    g_print ("   %.1f ms", fig->batch_ms / fig->batches);
  g_print ("\n");
  g_print ("RESULT project-%s list-median-ms=%.1f list-p95-ms=%.1f list-max-ms=%.1f "
           "list-cpu-ms=%.1f get-median-ms=%.2f get-p95-ms=%.2f get-max-ms=%.2f\n", key,
           list_median, list_p95, list_max, list_cpu, get_median, get_p95, get_max);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmpdir = g_dir_make_tmp ("bench-project-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *cmd = NULL;
  g_autofree gint64 *ids = g_new (gint64, N_FACES);
  g_autoptr(LkProject) project = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  Writer writer = { 0 };
  Figures idle = { 0 }, single = { 0 }, reader = { 0 };
  gint64 source, start;
  double fill_s;

  g_assert_no_error (error);
  path = g_build_filename (tmpdir, "Reads", NULL);
  project = lk_project_create (path, &error);
  g_assert_no_error (error);

  {
    g_autofree char *clip = g_build_filename (tmpdir, "clip.mp4", NULL);

    g_assert_true (g_file_set_contents (clip, "not really a video", -1, NULL));
    source = lk_project_add_source (project, LK_IDENTITY_A, clip, &error);
    g_assert_no_error (error);
  }

  start = g_get_monotonic_time ();
  for (guint i = 0; i < N_FACES; i++)
    {
      g_autoptr(LkFace) face = lk_face_new ();
      LkFace *faces[] = { face };

      face->identity = i % 2 ? LK_IDENTITY_B : LK_IDENTITY_A;
      face->file = lk_project_face_file_name (project, face->identity, source, i * 1000, 0);
      face->crop_size = 256;
      face->coverage = 0.625;
      face->box[2] = face->box[3] = (float) g_rand_double_range (rand, 40, 400);
      face->metrics.sharpness = g_rand_double_range (rand, 1, 500);
      if (lk_project_store_frame (project, source, i, i * 1000, i / 30.0, faces, 1, &error) < 0)
        g_error ("%s", error->message);
      ids[i] = face->id;
    }
  fill_s = (g_get_monotonic_time () - start) / 1e6;

  writer.project = project;
  writer.ids = ids;
  writer.run_id = lk_project_begin_run (project, "cpu", "{}", 0, NULL, &error);
  g_assert_no_error (error);

  g_print ("Project database, %d faces (filled in %.1f s); a writer commits a batch every "
           "%d ms\n(metrics of %d faces, 20 loss points); this thread lists all faces by "
           "sharpness\nand reads one; %d rounds of %.1f s, the three cases taking turns "
           "(ms; wall,\nbut for list_faces' CPU time of this thread):\n",
           N_FACES, fill_s, PERIOD_US / 1000, BATCH, N_ROUNDS, ROUND_US / 1e6);
  g_print ("  %-32s %27s   %20s\n", "", "list_faces", "get_face");
  g_print ("  %-32s %6s %6s %6s %6s   %6s %6s %6s   %4s   %s\n", "", "median", "p95", "max", "CPU",
           "median", "p95", "max", "n", "batch");

  /* Warm-up: both connections' caches, the file in the OS's. */
  for (int i = 0; i < 3; i++)
    {
      g_autoptr(GPtrArray) faces = NULL;

      _lk_project_set_single_connection (project, i == 0);
      faces = lk_project_list_faces (project, -1, LK_FACE_FILTER_ALL, NULL, "sharpness", TRUE,
                                     &error);
      g_assert_no_error (error);
    }

  figures_init (&idle);
  figures_init (&single);
  figures_init (&reader);
  for (int round = 0; round < N_ROUNDS; round++)
    {
      measure (&idle, project, ids, FALSE, NULL);
      measure (&single, project, ids, TRUE, &writer);
      measure (&reader, project, ids, FALSE, &writer);
    }
  print_figures (&idle, "no writer", "idle");
  print_figures (&single, "writer, one connection (before)", "single");
  print_figures (&reader, "writer, read connection (after)", "reader");
  figures_clear (&idle);
  figures_clear (&single);
  figures_clear (&reader);

  g_clear_object (&project);
  cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
  if (system (cmd) != 0)
    g_printerr ("could not remove %s\n", tmpdir);

  return 0;
}
