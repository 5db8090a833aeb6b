/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* The shared test data: real clips, photos and speech, read from
 * ../shared/testdata beside the checkout (never copied in; meson's
 * -Dshared_dir=DIR points elsewhere, and tests/meson.build passes it on as
 * $LK_TESTDATA_DIR). A test that needs it calls lk_test_require_data() at
 * the top of main(): without the folder the whole test is skipped (exit 77)
 * with one message naming it. */

#include <glib.h>
#include <stdlib.h>

static inline const char *
lk_test_require_data (void)
{
  const char *dir = g_getenv ("LK_TESTDATA_DIR");

  if (dir == NULL || *dir == '\0')
    {
      g_print ("SKIP: LK_TESTDATA_DIR is not set (tests/meson.build sets it to "
               "../shared/testdata beside the checkout)\n");
      exit (77);
    }
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_print ("SKIP: the test data folder %s is missing (see 'Tests and test data' in the README; "
               "meson setup -Dshared_dir=DIR points the tests at another copy)\n", dir);
      exit (77);
    }

  return dir;
}
