/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "lk-setting.h"

G_BEGIN_DECLS

/* Call once at start-up, before any other engine function, from the main
 * thread: routes FFmpeg's log into GLib's and sets libtorch's CPU thread
 * count (@n_threads <= 0: one per core). */
void        lk_engine_init              (int n_threads);

/* The version of Likeness and of every library it is built on, as
 * (name, version) pairs in a fixed order: likeness, ffmpeg, libavcodec,
 * libavformat, libtorch, dlib, sqlite, glib. Free with g_strfreev. */
char      **lk_engine_get_versions      (void);

/* The device a model would be created on now: "cuda" or "cpu"; and its
 * human-readable name ("NVIDIA H100 80GB HBM3", "CPU (2 threads)"). */
const char *lk_engine_get_device_kind   (void);
char       *lk_engine_get_device_name   (void);

/* The settings schema's groups (conversion, then training),
 * NULL-terminated, and the definition of one key in any of them (NULL when
 * no group declares it). */
const LkSettingGroup * const *lk_engine_get_setting_groups (void);
const LkSettingDef          *lk_engine_lookup_setting     (const char *key);

G_END_DECLS
