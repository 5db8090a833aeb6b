/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-convert"

#include "config.h"

#include "lk-provenance.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "lk-error.h"
#include "lk-video-reader.h"

char *
lk_provenance_sidecar_path (const char *output)
{
  g_return_val_if_fail (output != NULL, NULL);
  return g_strconcat (output, LK_PROVENANCE_SIDECAR_SUFFIX, NULL);
}

const char *
lk_provenance_generator (void)
{
  return "Likeness " PACKAGE_VERSION;
}

char **
lk_provenance_metadata_tags (void)
{
  GStrvBuilder *b = g_strv_builder_new ();
  g_autofree char *comment = g_strdup_printf ("Synthetic media: face replaced with %s",
                                              lk_provenance_generator ());
  char **tags;

  g_strv_builder_add_many (b, "comment", comment, "synthetic", "true",
                           "generator", lk_provenance_generator (), NULL);
  tags = g_strv_builder_end (b);
  g_strv_builder_unref (b);
  return tags;
}

char *
lk_provenance_file_sha256 (const char    *path,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *buffer = NULL;
  FILE *f;
  size_t n;
  gboolean failed;

  g_return_val_if_fail (path != NULL, NULL);

  f = g_fopen (path, "rb");
  if (f == NULL)
    {
      int saved = errno;

      g_set_error (error, LK_ERROR, saved == ENOENT ? LK_ERROR_NOT_FOUND : LK_ERROR_IO,
                   _("Cannot read %s: %s"), path, g_strerror (saved));
      return NULL;
    }
  buffer = g_malloc (1 << 20);
  while ((n = fread (buffer, 1, 1 << 20, f)) > 0)
    {
      g_checksum_update (sum, buffer, n);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          fclose (f);
          return NULL;
        }
    }
  failed = ferror (f);
  fclose (f);
  if (failed)
    {
      g_set_error (error, LK_ERROR, LK_ERROR_IO, _("Cannot read %s: read error"), path);
      return NULL;
    }
  return g_strdup (g_checksum_get_string (sum));
}

static char *
now_iso8601 (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format_iso8601 (now);
}

gboolean
lk_provenance_write_sidecar (const char   *output,
                             JsonObject   *record,
                             GCancellable *cancellable,
                             GError      **error)
{
  g_autofree char *sidecar = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *created = NULL;
  g_autofree char *basename = NULL;
  g_autofree char *text = NULL;
  g_autoptr(JsonGenerator) gen = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *out;
  GStatBuf st;

  g_return_val_if_fail (output != NULL && record != NULL, FALSE);

  sha256 = lk_provenance_file_sha256 (output, cancellable, error);
  if (sha256 == NULL)
    return FALSE;
  if (g_stat (output, &st) != 0)
    {
      g_set_error (error, LK_ERROR, LK_ERROR_IO, _("Cannot read %s: %s"), output,
                   g_strerror (errno));
      return FALSE;
    }

  created = now_iso8601 ();
  basename = g_path_get_basename (output);
  json_object_set_string_member (record, "format", LK_PROVENANCE_FORMAT);
  json_object_set_int_member (record, "format-version", LK_PROVENANCE_FORMAT_VERSION);
  json_object_set_string_member (record, "generator", lk_provenance_generator ());
  json_object_set_string_member (record, "tool", "Likeness");
  json_object_set_string_member (record, "tool-version", PACKAGE_VERSION);
  json_object_set_boolean_member (record, "synthetic", TRUE);
  json_object_set_string_member (record, "description",
                                 "Synthetic media: a face in this video was replaced by a "
                                 "machine-learning model (face swap).");
  json_object_set_string_member (record, "created", created);
  out = json_object_new ();
  json_object_set_string_member (out, "file", basename);
  json_object_set_int_member (out, "size", st.st_size);
  json_object_set_string_member (out, "sha256", sha256);
  json_object_set_object_member (record, "output", out);

  root = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (root, record);
  gen = json_generator_new ();
  json_generator_set_pretty (gen, TRUE);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);

  sidecar = lk_provenance_sidecar_path (output);
  /* g_file_set_contents() writes a temporary file and renames it. */
  if (!g_file_set_contents (sidecar, text, -1, NULL))
    {
      g_set_error (error, LK_ERROR, LK_ERROR_IO, _("Cannot write the provenance file %s"),
                   sidecar);
      return FALSE;
    }
  return TRUE;
}

void
lk_provenance_report_free (LkProvenanceReport *r)
{
  if (r == NULL)
    return;
  g_free (r->output);
  g_free (r->sidecar);
  g_free (r->expected_sha256);
  g_free (r->actual_sha256);
  g_free (r->generator);
  g_free (r->created);
  g_free (r->direction);
  g_free (r->checkpoint_sha256);
  g_free (r->target_sha256);
  g_free (r);
}

static char *
dup_member_string (JsonObject *o,
                   const char *object,
                   const char *member)
{
  JsonNode *node;

  if (o == NULL)
    return NULL;
  if (object != NULL)
    {
      node = json_object_get_member (o, object);
      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        return NULL;
      o = json_node_get_object (node);
    }
  node = json_object_get_member (o, member);
  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return g_strdup (json_node_get_string (node));
}

static gboolean
is_sha256_hex (const char *s)
{
  if (s == NULL || strlen (s) != 64)
    return FALSE;
  for (int i = 0; i < 64; i++)
    if (!g_ascii_isxdigit (s[i]))
      return FALSE;
  return TRUE;
}

gboolean
lk_provenance_verify (const char          *output,
                      LkProvenanceReport **report_out,
                      GCancellable        *cancellable,
                      GError             **error)
{
  g_autoptr(LkProvenanceReport) r = g_new0 (LkProvenanceReport, 1);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *format = NULL;
  JsonNode *root;
  JsonObject *o;
  gboolean ok = TRUE;

  g_return_val_if_fail (output != NULL, FALSE);

  if (report_out != NULL)
    *report_out = NULL;
  r->output = g_strdup (output);
  r->sidecar = lk_provenance_sidecar_path (output);

  if (!g_file_test (output, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, LK_ERROR, LK_ERROR_NOT_FOUND, _("%s does not exist"), output);
      return FALSE;
    }
  if (!g_file_test (r->sidecar, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, LK_ERROR, LK_ERROR_NOT_FOUND,
                   _("%s has no provenance file (%s is missing)"), output, r->sidecar);
      return FALSE;
    }
  if (!json_parser_load_from_file (parser, r->sidecar, &local_error))
    {
      g_set_error (error, LK_ERROR, LK_ERROR_CORRUPT,
                   _("The provenance file %s is not valid JSON: %s"), r->sidecar,
                   local_error->message);
      return FALSE;
    }
  root = json_parser_get_root (parser);
  o = root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  format = dup_member_string (o, NULL, "format");
  r->expected_sha256 = dup_member_string (o, "output", "sha256");
  if (g_strcmp0 (format, LK_PROVENANCE_FORMAT) != 0 || !is_sha256_hex (r->expected_sha256))
    {
      g_set_error (error, LK_ERROR, LK_ERROR_CORRUPT,
                   _("The provenance file %s is malformed: it is not a Likeness provenance "
                     "record with the output's SHA-256"), r->sidecar);
      return FALSE;
    }
  if (json_object_get_int_member_with_default (o, "format-version", 0)
      > LK_PROVENANCE_FORMAT_VERSION)
    {
      g_set_error (error, LK_ERROR, LK_ERROR_VERSION,
                   _("The provenance file %s was written by a newer version of Likeness"),
                   r->sidecar);
      return FALSE;
    }
  r->generator = dup_member_string (o, NULL, "generator");
  r->created = dup_member_string (o, NULL, "created");
  r->direction = dup_member_string (o, NULL, "direction");
  r->checkpoint_sha256 = dup_member_string (o, "checkpoint", "sha256");
  r->target_sha256 = dup_member_string (o, "target", "sha256");
  {
    JsonNode *settings = json_object_get_member (o, "settings");

    r->metadata_expected = TRUE;
    if (settings != NULL && JSON_NODE_HOLDS_OBJECT (settings))
      r->metadata_expected =
        json_object_get_boolean_member_with_default (json_node_get_object (settings),
                                                     "export.metadata", TRUE);
  }

  r->actual_sha256 = lk_provenance_file_sha256 (output, cancellable, error);
  if (r->actual_sha256 == NULL)
    return FALSE;
  r->hash_matches = g_ascii_strcasecmp (r->actual_sha256, r->expected_sha256) == 0;

  {
    g_autoptr(LkVideoReader) reader = lk_video_reader_open (output, cancellable, NULL);

    r->metadata_synthetic = reader != NULL
                            && g_strcmp0 (lk_video_reader_get_tag (reader, "synthetic"),
                                          "true") == 0;
  }

  if (!r->hash_matches)
    {
      g_set_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT,
                   _("%s was changed after export: its SHA-256 is %s, the provenance file %s "
                     "records %s"), output, r->actual_sha256, r->sidecar, r->expected_sha256);
      ok = FALSE;
    }
  else if (r->metadata_expected && !r->metadata_synthetic)
    {
      g_set_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT,
                   _("The container metadata of %s does not say that it is synthetic"), output);
      ok = FALSE;
    }

  if (report_out != NULL)
    *report_out = g_steal_pointer (&r);
  return ok;
}

/* ---- the visible label ---------------------------------------------------- */

typedef struct
{
  char   c;
  guint8 rows[7];
} Glyph;

/* A 5x7 font: bit 4 is the leftmost column. */
static const Glyph font[] = {
  { ' ', { 0, 0, 0, 0, 0, 0, 0 } },
  { 'A', { 0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11 } },
  { 'B', { 0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E } },
  { 'C', { 0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E } },
  { 'D', { 0x1E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1E } },
  { 'E', { 0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F } },
  { 'F', { 0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10 } },
  { 'G', { 0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F } },
  { 'H', { 0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11 } },
  { 'I', { 0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E } },
  { 'J', { 0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C } },
  { 'K', { 0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11 } },
  { 'L', { 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F } },
  { 'M', { 0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11 } },
  { 'N', { 0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11 } },
  { 'O', { 0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E } },
  { 'P', { 0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10 } },
  { 'Q', { 0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D } },
  { 'R', { 0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11 } },
  { 'S', { 0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E } },
  { 'T', { 0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04 } },
  { 'U', { 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E } },
  { 'V', { 0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04 } },
  { 'W', { 0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A } },
  { 'X', { 0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11 } },
  { 'Y', { 0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04 } },
  { 'Z', { 0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F } },
  { '0', { 0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E } },
  { '1', { 0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E } },
  { '2', { 0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F } },
  { '3', { 0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E } },
  { '4', { 0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02 } },
  { '5', { 0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E } },
  { '6', { 0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E } },
  { '7', { 0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08 } },
  { '8', { 0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E } },
  { '9', { 0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C } },
  { '-', { 0, 0, 0, 0x1F, 0, 0, 0 } },
  { '.', { 0, 0, 0, 0, 0, 0x0C, 0x0C } },
  { ':', { 0, 0x0C, 0x0C, 0, 0x0C, 0x0C, 0 } },
  { '/', { 0, 0x01, 0x02, 0x04, 0x08, 0x10, 0 } },
  { '(', { 0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02 } },
  { ')', { 0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08 } },
};

static const guint8 *
glyph_rows (char c)
{
  c = g_ascii_toupper (c);
  for (guint i = 0; i < G_N_ELEMENTS (font); i++)
    if (font[i].c == c)
      return font[i].rows;
  return font[0].rows;
}

static int
label_scale (int frame_height)
{
  return MAX (1, (int) lround (frame_height / 320.0));
}

void
lk_provenance_label_rect (int         frame_width,
                          int         frame_height,
                          const char *text,
                          int        *x,
                          int        *y,
                          int        *width,
                          int        *height)
{
  int s = label_scale (frame_height);
  int n = (int) strlen (text != NULL ? text : LK_PROVENANCE_LABEL_TEXT);
  int pad = 3 * s, margin = 4 * s;
  int w = n * 6 * s - s + 2 * pad, h = 7 * s + 2 * pad;

  w = MIN (w, frame_width);
  h = MIN (h, frame_height);
  *width = w;
  *height = h;
  *x = MAX (0, frame_width - w - margin);
  *y = MAX (0, frame_height - h - margin);
}

void
lk_provenance_draw_label (LkImage    *frame,
                          const char *text)
{
  int s, bx, by, bw, bh, pad, nc;

  g_return_if_fail (frame != NULL && frame->channels >= 3);

  if (text == NULL)
    text = LK_PROVENANCE_LABEL_TEXT;
  s = label_scale (frame->height);
  pad = 3 * s;
  nc = frame->channels;
  lk_provenance_label_rect (frame->width, frame->height, text, &bx, &by, &bw, &bh);

  /* The box: the picture darkened to 30%, so the label reads on any
   * background. */
  for (int y = by; y < by + bh; y++)
    {
      guint8 *p = lk_image_pixel (frame, bx, y);

      for (int x = 0; x < bw; x++, p += nc)
        for (int c = 0; c < 3; c++)
          p[c] = (guint8) (p[c] * 3 / 10);
    }

  for (int i = 0; text[i] != '\0'; i++)
    {
      const guint8 *rows = glyph_rows (text[i]);
      int gx = bx + pad + i * 6 * s;

      for (int r = 0; r < 7; r++)
        for (int col = 0; col < 5; col++)
          {
            if (!(rows[r] & (0x10 >> col)))
              continue;
            for (int dy = 0; dy < s; dy++)
              {
                int py = by + pad + r * s + dy;

                if (py >= by + bh)
                  continue;
                for (int dx = 0; dx < s; dx++)
                  {
                    int px = gx + col * s + dx;
                    guint8 *p;

                    if (px >= bx + bw)
                      continue;
                    p = lk_image_pixel (frame, px, py);
                    p[0] = p[1] = p[2] = 255;
                  }
              }
          }
    }
}
