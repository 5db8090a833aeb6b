/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * face-api-to-safetensors: converts a TensorFlow.js weights manifest and its
 * shard files (as shipped in @vladmandic/face-api's model/ folder) into one
 * safetensors file of float32 tensors. Run at build time, never at run time.
 *
 *   face-api-to-safetensors MANIFEST.json OUTPUT.safetensors [--package PACKAGE.json]
 *                           [KEY=VALUE...]
 *
 * Tensors keep the manifest's names and shapes (TensorFlow.js layout: conv
 * filters [h, w, in, out], dense weights [in, out]); the shim that loads
 * them does the layout change. Quantised tensors are dequantised the way
 * TensorFlow.js does it (tfjs-core io_utils decodeWeights): value =
 * q * scale + min, computed in double and rounded to float32. KEY=VALUE
 * pairs go into the file's "__metadata__", and with --package the npm
 * package's name, version and licence (as "package.name", ...).
 */
#define G_LOG_DOMAIN "face-api-to-safetensors"

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

typedef struct
{
  char   *name;
  GArray *shape;  /* gint64 */
  float  *values;
  gsize   n;
} Tensor;

static void
tensor_free (Tensor *t)
{
  g_free (t->name);
  g_array_unref (t->shape);
  g_free (t->values);
  g_free (t);
}

static gboolean
fail (GError **error, const char *path, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail (GError **error, const char *path, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: %s", path, msg);
  return FALSE;
}

/* Reads one group of the manifest: its weights, from the concatenation of
 * its shard files (paths relative to the manifest's folder). */
static gboolean
read_group (JsonObject *group, const char *manifest, GPtrArray *tensors, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (manifest);
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  JsonArray *paths, *weights;
  gsize offset = 0;

  if (!json_object_has_member (group, "paths") || !json_object_has_member (group, "weights"))
    return fail (error, manifest, "a weights group without \"paths\" or \"weights\"");
  paths = json_object_get_array_member (group, "paths");
  weights = json_object_get_array_member (group, "weights");
  if (paths == NULL || weights == NULL)
    return fail (error, manifest, "\"paths\" and \"weights\" must be arrays");

  for (guint i = 0; i < json_array_get_length (paths); i++)
    {
      const char *rel = json_array_get_string_element (paths, i);
      g_autofree char *path = NULL;
      g_autofree char *data = NULL;
      gsize len = 0;

      if (rel == NULL || strstr (rel, "..") != NULL || g_path_is_absolute (rel))
        return fail (error, manifest, "bad shard path");
      path = g_build_filename (dir, rel, NULL);
      if (!g_file_get_contents (path, &data, &len, error))
        return FALSE;
      g_byte_array_append (bytes, (const guint8 *) data, len);
    }

  for (guint i = 0; i < json_array_get_length (weights); i++)
    {
      JsonObject *w = json_array_get_object_element (weights, i);
      JsonArray *shape;
      const char *name, *dtype;
      Tensor *t;
      gsize n = 1;

      if (w == NULL || !json_object_has_member (w, "name") || !json_object_has_member (w, "shape")
          || !json_object_has_member (w, "dtype"))
        return fail (error, manifest, "weight %u lacks a name, shape or dtype", i);
      name = json_object_get_string_member (w, "name");
      dtype = json_object_get_string_member (w, "dtype");
      shape = json_object_get_array_member (w, "shape");
      if (name == NULL || dtype == NULL || shape == NULL)
        return fail (error, manifest, "weight %u: bad name, shape or dtype", i);
      if (g_strcmp0 (dtype, "float32") != 0)
        return fail (error, manifest, "%s: dtype %s is not supported (only float32)", name, dtype);

      t = g_new0 (Tensor, 1);
      t->name = g_strdup (name);
      t->shape = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_ptr_array_add (tensors, t);
      for (guint d = 0; d < json_array_get_length (shape); d++)
        {
          gint64 dim = json_array_get_int_element (shape, d);

          if (dim <= 0 || dim > (1 << 24))
            return fail (error, manifest, "%s: bad dimension %" G_GINT64_FORMAT, name, dim);
          g_array_append_val (t->shape, dim);
          n *= (gsize) dim;
        }
      if (n > ((gsize) 1 << 28))
        return fail (error, manifest, "%s: too large", name);
      t->n = n;
      t->values = g_new (float, n);

      if (json_object_has_member (w, "quantization"))
        {
          JsonObject *q = json_object_get_object_member (w, "quantization");
          const char *qtype = q ? json_object_get_string_member_with_default (q, "dtype", "") : "";
          double scale, min;

          if (q == NULL || g_strcmp0 (qtype, "uint8") != 0 || !json_object_has_member (q, "scale")
              || !json_object_has_member (q, "min"))
            return fail (error, manifest, "%s: only uint8 quantisation with scale and min is "
                         "supported", name);
          scale = json_object_get_double_member (q, "scale");
          min = json_object_get_double_member (q, "min");
          if (offset + n > bytes->len)
            return fail (error, manifest, "%s: the shards end before this weight (truncated?)",
                         name);
          for (gsize k = 0; k < n; k++)
            t->values[k] = (float) ((double) bytes->data[offset + k] * scale + min);
          offset += n;
        }
      else
        {
          if (offset + 4 * n > bytes->len)
            return fail (error, manifest, "%s: the shards end before this weight (truncated?)",
                         name);
          memcpy (t->values, bytes->data + offset, 4 * n);
          offset += 4 * n;
        }
    }

  if (offset != bytes->len)
    return fail (error, manifest, "%zu bytes of the shards are not described by the manifest",
                 (size_t) (bytes->len - offset));
  return TRUE;
}

/* Adds "package.name", "package.version" and "package.license" of an npm
 * package.json to metadata. */
static gboolean
read_package (const char *path, GPtrArray *metadata, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  static const char *const keys[] = { "name", "version", "license" };
  JsonObject *obj;

  if (!json_parser_load_from_file (parser, path, error))
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return fail (error, path, "not a package.json");
  obj = json_node_get_object (json_parser_get_root (parser));
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      const char *value = json_object_get_string_member_with_default (obj, keys[i], NULL);

      if (value == NULL)
        return fail (error, path, "no \"%s\"", keys[i]);
      g_ptr_array_add (metadata, g_strdup_printf ("package.%s=%s", keys[i], value));
    }
  return TRUE;
}

static gboolean
write_safetensors (GPtrArray *tensors, char **metadata, const char *path, GError **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GString) header = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *json = NULL;
  gsize data_offset = 0;
  guint64 header_len;
  FILE *f;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "__metadata__");
  json_builder_begin_object (b);
  for (char **kv = metadata; kv != NULL && *kv != NULL; kv++)
    {
      g_auto(GStrv) parts = g_strsplit (*kv, "=", 2);

      if (parts[0] == NULL || parts[1] == NULL)
        return fail (error, *kv, "metadata must be KEY=VALUE");
      json_builder_set_member_name (b, parts[0]);
      json_builder_add_string_value (b, parts[1]);
    }
  json_builder_end_object (b);
  for (guint i = 0; i < tensors->len; i++)
    {
      Tensor *t = g_ptr_array_index (tensors, i);

      json_builder_set_member_name (b, t->name);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "dtype");
      json_builder_add_string_value (b, "F32");
      json_builder_set_member_name (b, "shape");
      json_builder_begin_array (b);
      for (guint d = 0; d < t->shape->len; d++)
        json_builder_add_int_value (b, g_array_index (t->shape, gint64, d));
      json_builder_end_array (b);
      json_builder_set_member_name (b, "data_offsets");
      json_builder_begin_array (b);
      json_builder_add_int_value (b, (gint64) data_offset);
      data_offset += 4 * t->n;
      json_builder_add_int_value (b, (gint64) data_offset);
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json = json_generator_to_data (gen, NULL);
  header = g_string_new (json);
  /* The data section starts 8-byte aligned, as the reference writer does. */
  while ((8 + header->len) % 8 != 0)
    g_string_append_c (header, ' ');
  header_len = GUINT64_TO_LE ((guint64) header->len);

  tmp = g_strconcat (path, ".tmp", NULL);
  f = g_fopen (tmp, "wb");
  if (f == NULL)
    return fail (error, tmp, "cannot create: %s", g_strerror (errno));
  fwrite (&header_len, 8, 1, f);
  fwrite (header->str, 1, header->len, f);
  for (guint i = 0; i < tensors->len; i++)
    {
      Tensor *t = g_ptr_array_index (tensors, i);

#if G_BYTE_ORDER != G_LITTLE_ENDIAN
#error "safetensors data are little-endian"
#endif
      fwrite (t->values, sizeof (float), t->n, f);
    }
  if (ferror (f) | (fclose (f) != 0))
    {
      g_unlink (tmp);
      return fail (error, tmp, "writing failed");
    }
  if (g_rename (tmp, path) != 0)
    return fail (error, path, "cannot rename %s into place: %s", tmp, g_strerror (errno));
  return TRUE;
}

int
main (int argc, char *argv[])
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) tensors = g_ptr_array_new_with_free_func ((GDestroyNotify) tensor_free);
  g_autoptr(GPtrArray) metadata = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  JsonNode *root;
  JsonArray *groups;

  if (argc < 3)
    {
      g_printerr ("usage: %s MANIFEST.json OUTPUT.safetensors [--package PACKAGE.json] "
                  "[KEY=VALUE...]\n", argv[0]);
      return 2;
    }
  for (int i = 3; i < argc; i++)
    {
      if (g_strcmp0 (argv[i], "--package") == 0 && i + 1 < argc)
        {
          if (!read_package (argv[++i], metadata, &error))
            {
              g_printerr ("%s\n", error->message);
              return 1;
            }
        }
      else
        g_ptr_array_add (metadata, g_strdup (argv[i]));
    }
  g_ptr_array_add (metadata, NULL);

  if (!json_parser_load_from_file (parser, argv[1], &error))
    {
      g_printerr ("%s: %s\n", argv[1], error->message);
      return 1;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      g_printerr ("%s: not a TensorFlow.js weights manifest (an array of groups)\n", argv[1]);
      return 1;
    }
  groups = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (groups); i++)
    {
      JsonObject *group = json_array_get_object_element (groups, i);

      if (group == NULL)
        {
          g_printerr ("%s: group %u is not an object\n", argv[1], i);
          return 1;
        }
      if (!read_group (group, argv[1], tensors, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
    }
  if (tensors->len == 0)
    {
      g_printerr ("%s: no weights\n", argv[1]);
      return 1;
    }
  if (!write_safetensors (tensors, (char **) metadata->pdata, argv[2], &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  return 0;
}
