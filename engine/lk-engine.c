/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-engine"

#include "config.h"

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>

#include "lk-engine.h"
#include "lk-convert-params.h"
#include "lk-train-params.h"
#include "lk-ffmpeg-private.h"
#include "lk-project.h"
#include "lk-torch.h"

void
lk_engine_init (int n_threads)
{
  _lk_ffmpeg_init ();
  lk_torch_set_num_threads (n_threads);
}

static char *
av_version_string (unsigned version)
{
  return g_strdup_printf ("%u.%u.%u", AV_VERSION_MAJOR (version),
                          AV_VERSION_MINOR (version), AV_VERSION_MICRO (version));
}

char **
lk_engine_get_versions (void)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *glib = g_strdup_printf ("%u.%u.%u", glib_major_version,
                                           glib_minor_version, glib_micro_version);
  g_autofree char *avcodec = av_version_string (avcodec_version ());
  g_autofree char *avformat = av_version_string (avformat_version ());

  g_strv_builder_add_many (builder,
                           "likeness", PACKAGE_VERSION,
                           "ffmpeg", av_version_info (),
                           "libavcodec", avcodec,
                           "libavformat", avformat,
                           "libtorch", lk_torch_version (),
                           "dlib", LK_DLIB_VERSION,
                           "sqlite", lk_project_get_sqlite_version (),
                           "glib", glib,
                           NULL);

  return g_strv_builder_end (builder);
}

const char *
lk_engine_get_device_kind (void)
{
  return lk_torch_best_device () == LK_TORCH_DEVICE_CUDA ? "cuda" : "cpu";
}

char *
lk_engine_get_device_name (void)
{
  LkTorchError error = { 0 };
  char name[256];

  if (lk_torch_device_name (LK_TORCH_DEVICE_AUTO, name, sizeof name, &error) != LK_TORCH_OK)
    return g_strdup_printf ("unknown (%s)", error.message);

  return g_strdup (name);
}

const LkSettingGroup * const *
lk_engine_get_setting_groups (void)
{
  static const LkSettingGroup *groups[3];
  static gsize initialised = 0;

  if (g_once_init_enter (&initialised))
    {
      groups[0] = lk_convert_params_get_schema ();
      groups[1] = lk_train_params_get_schema ();
      g_once_init_leave (&initialised, 1);
    }
  return groups;
}

const LkSettingDef *
lk_engine_lookup_setting (const char *key)
{
  const LkSettingGroup * const *groups = lk_engine_get_setting_groups ();

  for (guint i = 0; groups[i] != NULL; i++)
    {
      const LkSettingDef *def = lk_setting_group_lookup (groups[i], key);

      if (def != NULL)
        return def;
    }
  return NULL;
}
