/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How many threads the pool of lk_job_run_pooled_async() runs at most; a
 * test fills them to see the order in which waiting runs start. */
guint _lk_job_pool_get_max_threads (void);

G_END_DECLS
