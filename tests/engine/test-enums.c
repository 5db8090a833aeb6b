/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "lk-auto-curate.h"
#include "lk-convert-params.h"
#include "lk-project.h"
#include "lk-train-params.h"

/* The enums' strings are stored in project databases and typed on the
 * command line: they must not change. */

typedef const char *(*ToString) (int value);
typedef int (*FromString) (const char *text);

static void
check_strings (ToString            to_string,
               FromString          from_string,
               const char * const *names)
{
  for (int i = 0; names[i] != NULL; i++)
    {
      g_autofree char *upper = g_ascii_strup (names[i], -1);
      g_autofree char *lower = g_ascii_strdown (names[i], -1);

      g_assert_cmpstr (to_string (i), ==, names[i]);
      g_assert_cmpint (from_string (names[i]), ==, i);
      g_assert_cmpint (from_string (upper), ==, i);
      g_assert_cmpint (from_string (lower), ==, i);
    }
  g_assert_cmpint (from_string ("no-such-value"), ==, -1);
  g_assert_cmpint (from_string (NULL), ==, -1);
}

static void
test_convert (void)
{
  static const char * const directions[] = { "A2B", "B2A", NULL };
  static const char * const codecs[] = { "h264", "hevc", "vp9", NULL };
  static const char * const masks[] = { "hull", "extended", NULL };
  static const char * const colours[] = { "none", "reinhard", "histogram", NULL };
  static const char * const blends[] = { "alpha", "laplacian", NULL };

  check_strings ((ToString) lk_convert_direction_to_string, lk_convert_direction_from_string,
                 directions);
  check_strings ((ToString) lk_export_codec_to_string, lk_export_codec_from_string, codecs);
  check_strings ((ToString) lk_convert_mask_type_to_string, lk_convert_mask_type_from_string,
                 masks);
  check_strings ((ToString) lk_convert_colour_to_string, lk_convert_colour_from_string, colours);
  check_strings ((ToString) lk_convert_blend_to_string, lk_convert_blend_from_string, blends);

  /* Aliases, and what a value out of range prints. */
  g_assert_cmpint (lk_export_codec_from_string ("h265"), ==, LK_EXPORT_CODEC_HEVC);
  g_assert_cmpint (lk_convert_colour_from_string ("hist"), ==, LK_COLOUR_HISTOGRAM);
  g_assert_cmpstr (lk_convert_blend_to_string (7), ==, "unknown");
  g_assert_cmpstr (lk_convert_direction_to_string (-1), ==, "unknown");
}

static void
test_train (void)
{
  static const char * const losses[] = { "l1", "mse", NULL };
  static const char * const devices[] = { "auto", "cpu", "cuda", NULL };

  check_strings ((ToString) lk_train_loss_to_string, lk_train_loss_from_string, losses);
  check_strings ((ToString) lk_train_device_to_string, lk_train_device_from_string, devices);
}

static void
test_curate (void)
{
  static const char * const rules[] = {
    "another-person", "multi-face", "small", "occluded", "blurry", "dark", "bright", "tinted", "extreme-pose",
    "duplicate", NULL
  };

  g_assert_cmpint (G_N_ELEMENTS (rules) - 1, ==, LK_CURATE_N_RULES);
  check_strings ((ToString) lk_curate_rule_to_string, lk_curate_rule_from_string, rules);
}

static void
test_identity (void)
{
  static const char * const identities[] = { "A", "B", NULL };

  check_strings ((ToString) lk_identity_to_string, lk_identity_from_string, identities);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/enums/convert", test_convert);
  g_test_add_func ("/engine/enums/train", test_train);
  g_test_add_func ("/engine/enums/curate", test_curate);
  g_test_add_func ("/engine/enums/identity", test_identity);

  return g_test_run ();
}
