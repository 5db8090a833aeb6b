/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Small helpers shared by the tests of engine/video (header-only). */

#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "lk-image.h"
#include "../lk-test-data.h"

/* $LK_TESTDATA_DIR/<sub>/<name>; skips the test (exit 77) when missing. */
static inline char *
lk_test_data_path (const char *sub,
                   const char *name)
{
  const char *dir = lk_test_require_data ();
  char *path;

  path = g_build_filename (dir, sub, name, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_printerr ("test data %s is missing\n", path);
      exit (77);
    }
  return path;
}

/* Runs argv (NULL-terminated) and asserts that it exits 0; returns stdout. */
static inline char *
lk_test_run (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", argv[0], err);
  return out;
}

static inline gboolean
lk_test_have_program (const char *name)
{
  g_autofree char *p = g_find_program_in_path (name);

  return p != NULL;
}

/* A fresh temporary folder, removed (with its files) by lk_test_rmdir. */
static inline char *
lk_test_mkdtemp (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("lk-video-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static inline void
lk_test_rmdir (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);

      if (g_file_test (p, G_FILE_TEST_IS_DIR))
        lk_test_rmdir (p);
      else
        g_unlink (p);
    }
  g_dir_close (d);
  g_rmdir (dir);
}

static inline gboolean
lk_test_images_equal (const LkImage *a,
                      const LkImage *b)
{
  if (!lk_image_same_size (a, b))
    return FALSE;
  for (int y = 0; y < a->height; y++)
    if (memcmp (lk_image_row (a, y), lk_image_row (b, y), (gsize) a->width * a->channels) != 0)
      return FALSE;
  return TRUE;
}

/* Largest absolute difference of two same-sized images. */
static inline int
lk_test_images_max_diff (const LkImage *a,
                         const LkImage *b)
{
  int m = 0;

  g_assert_true (lk_image_same_size (a, b));
  for (int y = 0; y < a->height; y++)
    {
      const guint8 *pa = lk_image_row (a, y), *pb = lk_image_row (b, y);

      for (int x = 0; x < a->width * a->channels; x++)
        m = MAX (m, ABS ((int) pa[x] - (int) pb[x]));
    }
  return m;
}

/* Copies the first @fraction of @src into @dst. */
static inline void
lk_test_truncate_copy (const char *src,
                       const char *dst,
                       double      fraction)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize len = 0;

  g_file_get_contents (src, &data, &len, &error);
  g_assert_no_error (error);
  g_file_set_contents (dst, data, (gssize) (len * fraction), &error);
  g_assert_no_error (error);
}
