/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Tests of the libtorch shim through its C API, in plain C without GLib (they
 * also run in shim_only mode). One case per run: test-torch CASE. Tiny 64 px
 * models and few steps, so that each case takes seconds on a 2-core CPU.
 * Exit 0 on success, 1 on failure, 77 to skip.
 */
#define _GNU_SOURCE
#include "lk-torch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define S 64

static const char *current_case = "?";

static void
die (const char *file, int line, const char *fmt, ...)
{
  va_list ap;
  fprintf (stderr, "FAIL %s (%s:%d): ", current_case, file, line);
  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  fputc ('\n', stderr);
  exit (1);
}

#define CHECK(cond, ...)                                                                          \
  do {                                                                                            \
    if (!(cond))                                                                                  \
      die (__FILE__, __LINE__, __VA_ARGS__);                                                      \
  } while (0)
#define CHECK_OK(status, err)                                                                     \
  do {                                                                                            \
    LkTorchStatus s_ = (status);                                                                  \
    CHECK (s_ == LK_TORCH_OK, "%s: %s (%s)", #status, lk_torch_status_to_string (s_),             \
           (err).message);                                                                        \
  } while (0)

/* ---- Helpers -------------------------------------------------------------- */

static LkTorchModelConfig
tiny_config (void)
{
  LkTorchModelConfig c = lk_torch_model_config_default ();
  c.face_size = S;
  c.n_levels = 3;
  c.encoder_widths[0] = 8;
  c.encoder_widths[1] = 16;
  c.encoder_widths[2] = 32;
  c.bottleneck_dim = 32;
  c.dense_channels = 32;
  c.upscale_width = 32;
  c.decoder_widths[0] = 16;
  c.decoder_widths[1] = 8;
  c.n_identities = 2;
  c.mask_channel = 1;
  return c;
}

static LkTorchTrainConfig
tiny_train_config (void)
{
  LkTorchTrainConfig t = lk_torch_train_config_default ();
  t.batch_size = 4;
  t.learning_rate = 1e-3f;
  t.precision = LK_TORCH_PRECISION_FP32;
  t.seed = 42;
  return t;
}

typedef struct {
  int n;
  uint8_t *rgb;  /* n x S x S x 3 */
  uint8_t *face; /* n x S x S */
  uint8_t *feat; /* n x S x S */
  LkTorchPixels *rgb_v, *face_v, *feat_v;
} Faces;

/* Structured synthetic "faces": a bright ellipse with two dark "eyes" and a
 * "mouth" on a gradient background, varying with the index; identity B has
 * other colours and a wider face. */
static Faces
make_faces (int identity, int n)
{
  Faces f;
  f.n = n;
  f.rgb = malloc ((size_t) n * S * S * 3);
  f.face = malloc ((size_t) n * S * S);
  f.feat = malloc ((size_t) n * S * S);
  f.rgb_v = calloc (n, sizeof (LkTorchPixels));
  f.face_v = calloc (n, sizeof (LkTorchPixels));
  f.feat_v = calloc (n, sizeof (LkTorchPixels));
  for (int i = 0; i < n; i++) {
    double cx = S / 2.0 + (i % 5) - 2, cy = S / 2.0 + (i % 3) - 1;
    double rx = identity ? 22 : 17, ry = identity ? 24 : 26;
    for (int y = 0; y < S; y++)
      for (int x = 0; x < S; x++) {
        uint8_t *p = f.rgb + (((size_t) i * S + y) * S + x) * 3;
        double dx = (x - cx) / rx, dy = (y - cy) / ry;
        int inside = dx * dx + dy * dy < 1;
        int eye = (fabs (y - (cy - 6)) < 3) && (fabs (fabs (x - cx) - 8) < 4);
        int mouth = (fabs (y - (cy + 10)) < 2) && fabs (x - cx) < 8;
        double bg = (double) (x + y + 7 * i) / (2 * S);
        if (inside) {
          p[0] = identity ? 120 : 220;
          p[1] = identity ? 90 : 170;
          p[2] = identity ? 60 : 140;
          if (eye || mouth) {
            p[0] /= 4;
            p[1] /= 4;
            p[2] /= 3;
          }
        } else {
          p[0] = (uint8_t) (40 + 100 * bg);
          p[1] = (uint8_t) (identity ? 140 : 60);
          p[2] = (uint8_t) (200 - 120 * bg);
        }
        f.face[((size_t) i * S + y) * S + x] = inside ? 255 : 0;
        f.feat[((size_t) i * S + y) * S + x] = inside && (eye || mouth) ? 255 : 0;
      }
    f.rgb_v[i] = (LkTorchPixels){ f.rgb + (size_t) i * S * S * 3, S, S, 3, S * 3 };
    f.face_v[i] = (LkTorchPixels){ f.face + (size_t) i * S * S, S, S, 1, S };
    f.feat_v[i] = (LkTorchPixels){ f.feat + (size_t) i * S * S, S, S, 1, S };
  }
  return f;
}

static void
free_faces (Faces *f)
{
  free (f->rgb);
  free (f->face);
  free (f->feat);
  free (f->rgb_v);
  free (f->face_v);
  free (f->feat_v);
}

typedef struct {
  int n;
  uint8_t *rgb, *mask;
  LkTorchPixels *rgb_v, *mask_v;
} Outputs;

static Outputs
make_outputs (int n)
{
  Outputs o;
  o.n = n;
  o.rgb = calloc ((size_t) n * S * S * 3, 1);
  o.mask = calloc ((size_t) n * S * S, 1);
  o.rgb_v = calloc (n, sizeof (LkTorchPixels));
  o.mask_v = calloc (n, sizeof (LkTorchPixels));
  for (int i = 0; i < n; i++) {
    o.rgb_v[i] = (LkTorchPixels){ o.rgb + (size_t) i * S * S * 3, S, S, 3, S * 3 };
    o.mask_v[i] = (LkTorchPixels){ o.mask + (size_t) i * S * S, S, S, 1, S };
  }
  return o;
}

static void
free_outputs (Outputs *o)
{
  free (o->rgb);
  free (o->mask);
  free (o->rgb_v);
  free (o->mask_v);
}

static char tmpdir[4096];

static void
make_tmpdir (void)
{
  const char *base = getenv ("LK_TORCH_TEST_TMPDIR");
  snprintf (tmpdir, sizeof tmpdir, "%s/torch-%s-XXXXXX", base && *base ? base : "/tmp",
            current_case);
  CHECK (mkdtemp (tmpdir) != NULL, "mkdtemp %s: %s", tmpdir, strerror (errno));
}

static void
remove_tmpdir (void)
{
  DIR *d = opendir (tmpdir);
  struct dirent *e;
  char path[8192];
  if (!d)
    return;
  while ((e = readdir (d))) {
    if (e->d_name[0] == '.')
      continue;
    snprintf (path, sizeof path, "%s/%s", tmpdir, e->d_name);
    unlink (path);
  }
  closedir (d);
  rmdir (tmpdir);
}

static LkTorchModel *
new_model (const LkTorchModelConfig *c, uint64_t seed)
{
  LkTorchError err;
  LkTorchModel *m = lk_torch_model_new (c, LK_TORCH_DEVICE_AUTO, seed, &err);
  CHECK (m != NULL, "model_new: %s", err.message);
  return m;
}

static LkTorchTrainer *
new_trainer (LkTorchModel *m, const LkTorchTrainConfig *t, Faces *a, Faces *b, int masks)
{
  LkTorchError err;
  LkTorchTrainer *tr = lk_torch_trainer_new (m, t, &err);
  CHECK (tr != NULL, "trainer_new: %s", err.message);
  CHECK_OK (lk_torch_trainer_set_faces (tr, 0, a->rgb_v, masks ? a->face_v : NULL,
                                        masks ? a->feat_v : NULL, a->n, &err), err);
  CHECK_OK (lk_torch_trainer_set_faces (tr, 1, b->rgb_v, masks ? b->face_v : NULL,
                                        masks ? b->feat_v : NULL, b->n, &err), err);
  return tr;
}

static void
swap (LkTorchModel *m, int identity, Faces *in, Outputs *out)
{
  LkTorchError err;
  CHECK_OK (lk_torch_model_swap (m, identity, in->rgb_v, out->n, out->rgb_v, out->mask_v, &err),
            err);
}

static int
finite_losses (const LkTorchLosses *l)
{
  for (int i = 0; i < l->n_identities; i++)
    if (!isfinite (l->loss[i]) || !isfinite (l->pixel_loss[i]) || !isfinite (l->dssim_loss[i]) ||
        !isfinite (l->mask_loss[i]))
      return 0;
  return isfinite (l->gan_generator_loss) && isfinite (l->gan_critic_loss);
}

static long
file_size (const char *path)
{
  struct stat sb;
  return stat (path, &sb) == 0 ? (long) sb.st_size : -1;
}

static void
copy_prefix (const char *from, const char *to, long n)
{
  FILE *in = fopen (from, "rb"), *out = fopen (to, "wb");
  CHECK (in && out, "copy %s -> %s", from, to);
  char buf[65536];
  while (n > 0) {
    size_t k = fread (buf, 1, n < (long) sizeof buf ? (size_t) n : sizeof buf, in);
    if (k == 0)
      break;
    fwrite (buf, 1, k, out);
    n -= (long) k;
  }
  fclose (in);
  fclose (out);
}

/* ---- Cases -------------------------------------------------------------------- */

static void
test_device (void)
{
  LkTorchError err;
  char name[256];
  CHECK (strlen (lk_torch_version ()) >= 3, "version \"%s\"", lk_torch_version ());
  CHECK_OK (lk_torch_device_name (LK_TORCH_DEVICE_CPU, name, sizeof name, &err), err);
  CHECK (strncmp (name, "CPU (", 5) == 0 && strstr (name, "threads)"), "cpu name \"%s\"", name);
  CHECK (lk_torch_get_num_threads () >= 1, "threads");
  if (!lk_torch_cuda_available ()) {
    CHECK (lk_torch_best_device () == LK_TORCH_DEVICE_CPU, "best device without CUDA");
    LkTorchStatus s = lk_torch_device_name (LK_TORCH_DEVICE_CUDA, name, sizeof name, &err);
    CHECK (s == LK_TORCH_ERROR_NO_DEVICE && err.status == s && err.message[0],
           "forced CUDA without CUDA: %s", lk_torch_status_to_string (s));
    LkTorchModelConfig c = tiny_config ();
    CHECK (lk_torch_model_new (&c, LK_TORCH_DEVICE_CUDA, 1, &err) == NULL &&
             err.status == LK_TORCH_ERROR_NO_DEVICE, "model on CUDA without CUDA");
  } else {
    CHECK (lk_torch_cuda_device_count () >= 1, "device count");
    CHECK_OK (lk_torch_device_name (LK_TORCH_DEVICE_CUDA, name, sizeof name, &err), err);
    CHECK (name[0], "empty GPU name");
  }
  printf ("libtorch %s, device: %s\n", lk_torch_version (), name);
  /* Every status has its own name. */
  for (int a = LK_TORCH_OK; a <= LK_TORCH_ERROR_INTERNAL; a++)
    for (int b = a + 1; b <= LK_TORCH_ERROR_INTERNAL; b++)
      CHECK (strcmp (lk_torch_status_to_string (a), lk_torch_status_to_string (b)) != 0,
             "status names %d %d", a, b);
  /* NULL error pointers are allowed. */
  CHECK (lk_torch_device_name (LK_TORCH_DEVICE_CPU, NULL, 0, NULL) ==
           LK_TORCH_ERROR_INVALID_ARGUMENT, "NULL buffer");
}

static void
test_forward (void)
{
  LkTorchError err;
  LkTorchModelConfig c = tiny_config ();
  LkTorchModel *m = new_model (&c, 1);
  Faces a = make_faces (0, 3);
  /* Padded rows on the output: the padding must stay untouched. */
  size_t stride = S * 3 + 16;
  uint8_t *buf = malloc (3 * S * stride);
  memset (buf, 0xAB, 3 * S * stride);
  LkTorchPixels out[3];
  for (int i = 0; i < 3; i++)
    out[i] = (LkTorchPixels){ buf + (size_t) i * S * stride, S, S, 3, stride };
  float *maskf[3];
  for (int i = 0; i < 3; i++)
    maskf[i] = malloc (sizeof (float) * S * S);
  CHECK_OK (lk_torch_model_swap_float_mask (m, 1, a.rgb_v, 3, out, maskf, &err), err);
  int differs = 0;
  for (int i = 0; i < 3; i++)
    for (int y = 0; y < S; y++) {
      const uint8_t *row = out[i].data + y * stride;
      for (int k = S * 3; k < (int) stride; k++)
        CHECK (row[k] == 0xAB, "padding written at image %d row %d", i, y);
      for (int k = 0; k < S * 3; k++)
        if (row[k] != 0xAB)
          differs = 1;
    }
  CHECK (differs, "no pixels written");
  for (int i = 0; i < 3; i++)
    for (int k = 0; k < S * S; k++)
      CHECK (isfinite (maskf[i][k]) && maskf[i][k] >= 0 && maskf[i][k] <= 1, "mask value %g",
             maskf[i][k]);
  /* The uint8 API gives the same RGB. */
  Outputs o = make_outputs (3);
  swap (m, 1, &a, &o);
  for (int i = 0; i < 3; i++)
    for (int y = 0; y < S; y++)
      CHECK (memcmp (o.rgb_v[i].data + y * S * 3, out[i].data + y * stride, S * 3) == 0,
             "uint8 and float-mask paths differ");
  /* Different inputs give different outputs; different decoders too. */
  CHECK (memcmp (o.rgb, o.rgb + S * S * 3, S * S * 3) != 0, "two inputs, same output");
  Outputs o0 = make_outputs (3);
  swap (m, 0, &a, &o0);
  CHECK (memcmp (o.rgb, o0.rgb, 3 * S * S * 3) != 0, "decoders A and B agree exactly");
  /* Bad input sizes and identities are errors, not crashes. */
  LkTorchPixels bad = a.rgb_v[0];
  bad.width = 32;
  CHECK (lk_torch_model_swap (m, 0, &bad, 1, o.rgb_v, NULL, &err) ==
           LK_TORCH_ERROR_INVALID_ARGUMENT && strstr (err.message, "32x64"),
         "wrong size accepted: %s", err.message);
  CHECK (lk_torch_model_swap (m, 5, a.rgb_v, 1, o.rgb_v, NULL, &err) ==
           LK_TORCH_ERROR_INVALID_ARGUMENT, "identity 5 accepted");
  free_outputs (&o);
  free_outputs (&o0);
  for (int i = 0; i < 3; i++)
    free (maskf[i]);
  free (buf);
  free_faces (&a);
  lk_torch_model_free (m);
}

static int64_t
expected_params (const LkTorchModelConfig *c)
{
  int64_t n = 0;
  int cin = 3;
  for (int i = 0; i < c->n_levels; i++) {
    n += (int64_t) cin * c->encoder_widths[i] * 25 + c->encoder_widths[i];
    cin = c->encoder_widths[i];
  }
  int r0 = c->face_size >> c->n_levels;
  int64_t flat = (int64_t) cin * r0 * r0;
  n += flat * c->bottleneck_dim + c->bottleneck_dim;
  n += (int64_t) c->bottleneck_dim * c->dense_channels * r0 * r0 + c->dense_channels * r0 * r0;
  n += (int64_t) c->dense_channels * 4 * c->upscale_width * 9 + 4 * c->upscale_width;
  int64_t dec = 0;
  cin = c->upscale_width;
  for (int i = 0; i < c->n_levels - 1; i++) {
    dec += (int64_t) cin * 4 * c->decoder_widths[i] * 9 + 4 * c->decoder_widths[i];
    cin = c->decoder_widths[i];
  }
  int out = c->mask_channel ? 4 : 3;
  dec += (int64_t) cin * out * 25 + out;
  return n + c->n_identities * dec;
}

static void
test_params (void)
{
  LkTorchModelConfig c = tiny_config ();
  LkTorchModel *m = new_model (&c, 1);
  int64_t n = lk_torch_model_parameter_count (m);
  CHECK (n > 0 && n == expected_params (&c), "parameters %lld, expected %lld", (long long) n,
         (long long) expected_params (&c));
  lk_torch_model_free (m);

  LkTorchModelConfig w = c;
  w.encoder_widths[1] = 24;
  w.decoder_widths[0] = 24;
  m = new_model (&w, 1);
  int64_t n2 = lk_torch_model_parameter_count (m);
  CHECK (n2 > n && n2 == expected_params (&w), "wider: %lld", (long long) n2);
  lk_torch_model_free (m);

  LkTorchModelConfig nm = c;
  nm.mask_channel = 0;
  m = new_model (&nm, 1);
  CHECK (lk_torch_model_parameter_count (m) == expected_params (&nm) &&
           lk_torch_model_parameter_count (m) < n, "no mask channel");
  lk_torch_model_free (m);

  LkTorchModelConfig d = lk_torch_model_config_default ();
  CHECK (lk_torch_model_train_flops_per_example (&d) > 1e9, "flops of the default model");
  CHECK (lk_torch_model_train_flops_per_example (&c) < lk_torch_model_train_flops_per_example (&d),
         "flops grow with widths");
  printf ("tiny model: %lld parameters; default 128 px: %.2f GFLOP per training example\n",
          (long long) n, lk_torch_model_train_flops_per_example (&d) / 1e9);
}

static void
test_config (void)
{
  LkTorchError err;
  LkTorchModelConfig c = tiny_config ();
  CHECK_OK (lk_torch_model_config_validate (&c, &err), err);
  LkTorchModelConfig d = lk_torch_model_config_default ();
  CHECK_OK (lk_torch_model_config_validate (&d, &err), err);
  struct {
    const char *field;
    LkTorchModelConfig c;
  } bad[6];
  for (int i = 0; i < 6; i++)
    bad[i].c = c;
  bad[0].field = "face_size", bad[0].c.face_size = 100;
  bad[1].field = "n_levels", bad[1].c.n_levels = 9;
  bad[2].field = "encoder_widths[1]", bad[2].c.encoder_widths[1] = 0;
  bad[3].field = "decoder_widths[0]", bad[3].c.decoder_widths[0] = -3;
  bad[4].field = "n_identities", bad[4].c.n_identities = 0;
  bad[5].field = "n_levels", bad[5].c.n_levels = 6; /* 64 >> 6 = 1 pixel */
  for (int i = 0; i < 6; i++) {
    CHECK (lk_torch_model_config_validate (&bad[i].c, &err) == LK_TORCH_ERROR_INVALID_ARGUMENT &&
             strstr (err.message, bad[i].field), "bad %s: \"%s\"", bad[i].field, err.message);
    CHECK (lk_torch_model_new (&bad[i].c, LK_TORCH_DEVICE_CPU, 1, &err) == NULL, "created");
  }
  LkTorchModel *m = new_model (&c, 1);
  LkTorchTrainConfig t = tiny_train_config ();
  t.batch_size = 0;
  CHECK (lk_torch_trainer_new (m, &t, &err) == NULL && err.status == LK_TORCH_ERROR_INVALID_ARGUMENT,
         "batch 0 accepted");
  /* Training without faces is a clear error. */
  t = tiny_train_config ();
  LkTorchTrainer *tr = lk_torch_trainer_new (m, &t, &err);
  CHECK (tr, "trainer: %s", err.message);
  LkTorchLosses l;
  CHECK (lk_torch_trainer_step (tr, 1, &l, &err) == LK_TORCH_ERROR_NO_DATA, "no faces: %s",
         err.message);
  lk_torch_trainer_free (tr);
  lk_torch_model_free (m);
}

static int
same_config (const LkTorchModelConfig *a, const LkTorchModelConfig *b)
{
  if (a->face_size != b->face_size || a->n_levels != b->n_levels ||
      a->bottleneck_dim != b->bottleneck_dim || a->dense_channels != b->dense_channels ||
      a->upscale_width != b->upscale_width || a->n_identities != b->n_identities ||
      !a->mask_channel != !b->mask_channel)
    return 0;
  for (int i = 0; i < a->n_levels; i++)
    if (a->encoder_widths[i] != b->encoder_widths[i] ||
        (i < a->n_levels - 1 && a->decoder_widths[i] != b->decoder_widths[i]))
      return 0;
  return 1;
}

typedef struct {
  int found_user, found_a, found_b, found_iter;
} MetaSeen;

static void
meta_cb (const char *key, const char *value, void *data)
{
  MetaSeen *s = data;
  if (!strcmp (key, "project") && !strcmp (value, "Test \"quoted\" \xc3\xa9\n"))
    s->found_user = 1;
  if (!strcmp (key, "likeness.identity.0") && !strcmp (value, "Alice"))
    s->found_a = 1;
  if (!strcmp (key, "likeness.identity.1") && !strcmp (value, "Bob"))
    s->found_b = 1;
  if (!strcmp (key, "likeness.iteration"))
    s->found_iter = 1;
}

static void
test_save_load (void)
{
  LkTorchError err;
  LkTorchModelConfig c = tiny_config ();
  LkTorchModel *m1 = new_model (&c, 1), *m2 = new_model (&c, 2);
  Faces a = make_faces (0, 4);
  Outputs o1 = make_outputs (4), o2 = make_outputs (4), o3 = make_outputs (4);
  make_tmpdir ();
  char path[8192];
  snprintf (path, sizeof path, "%s/model.safetensors", tmpdir);

  swap (m1, 1, &a, &o1);
  swap (m2, 1, &a, &o2);
  CHECK (memcmp (o1.rgb, o2.rgb, 4 * S * S * 3) != 0, "two seeds, same model");
  const char *names[] = { "Alice", "Bob" };
  LkTorchMetadata meta[] = { { "project", "Test \"quoted\" \xc3\xa9\n" } };
  CHECK_OK (lk_torch_model_save (m1, path, names, meta, 1, &err), err);
  LkTorchMetadata reserved[] = { { "likeness.iteration", "5" } };
  CHECK (lk_torch_model_save (m1, path, names, reserved, 1, &err) ==
           LK_TORCH_ERROR_INVALID_ARGUMENT, "reserved metadata key accepted");

  CHECK_OK (lk_torch_model_load (m2, path, &err), err);
  swap (m2, 1, &a, &o2);
  CHECK (memcmp (o1.rgb, o2.rgb, 4 * S * S * 3) == 0, "outputs differ after load");
  CHECK (memcmp (o1.mask, o2.mask, 4 * S * S) == 0, "masks differ after load");

  LkTorchModel *m3 = lk_torch_model_new_from_checkpoint (path, LK_TORCH_DEVICE_AUTO, &err);
  CHECK (m3, "new_from_checkpoint: %s", err.message);
  swap (m3, 1, &a, &o3);
  CHECK (memcmp (o1.rgb, o3.rgb, 4 * S * S * 3) == 0, "outputs differ after new_from_checkpoint");
  swap (m3, 0, &a, &o3);
  swap (m1, 0, &a, &o1);
  CHECK (memcmp (o1.rgb, o3.rgb, 4 * S * S * 3) == 0, "decoder A differs after load");

  LkTorchCheckpointInfo info;
  CHECK_OK (lk_torch_checkpoint_read_info (path, &info, &err), err);
  CHECK (same_config (&info.config, &c), "config differs in the checkpoint");
  CHECK (info.iteration == 0 && !info.has_trainer_state && !info.has_critic, "info");
  MetaSeen seen = { 0 };
  CHECK_OK (lk_torch_checkpoint_read_metadata (path, meta_cb, &seen, &err), err);
  CHECK (seen.found_user && seen.found_a && seen.found_b && seen.found_iter, "metadata");

  /* A model of another shape refuses it, saying why. */
  LkTorchModelConfig other = c;
  other.bottleneck_dim = 48;
  LkTorchModel *m4 = new_model (&other, 1);
  CHECK (lk_torch_model_load (m4, path, &err) == LK_TORCH_ERROR_INCOMPATIBLE &&
           strstr (err.message, "bottleneck_dim") && strstr (err.message, path),
         "incompatible: %s", err.message);
  lk_torch_model_free (m4);

  remove_tmpdir ();
  free_outputs (&o1);
  free_outputs (&o2);
  free_outputs (&o3);
  free_faces (&a);
  lk_torch_model_free (m1);
  lk_torch_model_free (m2);
  lk_torch_model_free (m3);
}

static void
test_resume (void)
{
  LkTorchError err;
  LkTorchModelConfig c = tiny_config ();
  LkTorchTrainConfig t = tiny_train_config ();
  t.gan = 1;
  t.critic_width = 8;
  Faces a = make_faces (0, 12), b = make_faces (1, 12);
  make_tmpdir ();
  char path[8192];
  snprintf (path, sizeof path, "%s/step3.safetensors", tmpdir);
  lk_torch_set_deterministic (1, 1234);

  /* The same seeds give the same losses. */
  LkTorchLosses r1[2], r2[2];
  for (int run = 0; run < 2; run++) {
    LkTorchModel *m = new_model (&c, 5);
    LkTorchTrainer *tr = new_trainer (m, &t, &a, &b, 1);
    CHECK_OK (lk_torch_trainer_step (tr, 2, run ? &r2[0] : &r1[0], &err), err);
    CHECK_OK (lk_torch_trainer_step (tr, 1, run ? &r2[1] : &r1[1], &err), err);
    lk_torch_trainer_free (tr);
    lk_torch_model_free (m);
  }
  CHECK (memcmp (r1, r2, sizeof r1) == 0, "same seed, different losses: %.9g vs %.9g",
         r1[1].loss[0], r2[1].loss[0]);

  /* Uninterrupted: 4 steps; the 4th loss is the reference. */
  LkTorchModel *m = new_model (&c, 5);
  LkTorchTrainer *tr = new_trainer (m, &t, &a, &b, 1);
  LkTorchLosses l3, l4;
  CHECK_OK (lk_torch_trainer_step (tr, 3, &l3, &err), err);
  CHECK (l3.iteration == 3, "iteration %lld", (long long) l3.iteration);
  CHECK_OK (lk_torch_trainer_save (tr, path, NULL, NULL, 0, &err), err);
  CHECK_OK (lk_torch_trainer_step (tr, 1, &l4, &err), err);
  CHECK (finite_losses (&l4) && l4.gan_generator_loss > 0 && l4.gan_critic_loss > 0, "losses");

  /* Resumed: another model (other init seed) and trainer (other seed). */
  LkTorchModel *m2 = new_model (&c, 99);
  LkTorchTrainConfig t2 = t;
  t2.seed = 777;
  LkTorchTrainer *tr2 = new_trainer (m2, &t2, &a, &b, 1);
  CHECK_OK (lk_torch_trainer_load (tr2, path, &err), err);
  CHECK (lk_torch_trainer_get_iteration (tr2) == 3, "iteration after load");
  LkTorchLosses l4b;
  CHECK_OK (lk_torch_trainer_step (tr2, 1, &l4b, &err), err);
  printf ("step 4: uninterrupted %.9g %.9g, resumed %.9g %.9g\n", l4.loss[0], l4.loss[1],
          l4b.loss[0], l4b.loss[1]);
  CHECK (l4b.iteration == 4, "iteration %lld", (long long) l4b.iteration);
  CHECK (memcmp (l4.loss, l4b.loss, sizeof l4.loss) == 0 &&
           l4.gan_generator_loss == l4b.gan_generator_loss &&
           l4.gan_critic_loss == l4b.gan_critic_loss,
         "resumed loss %.9g differs from %.9g", l4b.loss[0], l4.loss[0]);

  LkTorchCheckpointInfo info;
  CHECK_OK (lk_torch_checkpoint_read_info (path, &info, &err), err);
  CHECK (info.iteration == 3 && info.has_trainer_state && info.has_critic, "info");

  /* A weights-only checkpoint loads into a trainer with a fresh optimizer. */
  char wpath[8192];
  snprintf (wpath, sizeof wpath, "%s/weights.safetensors", tmpdir);
  CHECK_OK (lk_torch_model_save (m, wpath, NULL, NULL, 0, &err), err);
  CHECK_OK (lk_torch_trainer_load (tr2, wpath, &err), err);
  CHECK (lk_torch_trainer_get_iteration (tr2) == 0, "weights-only iteration");
  CHECK_OK (lk_torch_trainer_step (tr2, 1, &l4b, &err), err);
  CHECK (finite_losses (&l4b), "losses after weights-only load");

  lk_torch_trainer_free (tr);
  lk_torch_trainer_free (tr2);
  lk_torch_model_free (m);
  lk_torch_model_free (m2);
  remove_tmpdir ();
  free_faces (&a);
  free_faces (&b);
}

/* Replaces text old by rep in a checkpoint's header (re-padded to a multiple
 * of 8 bytes) and keeps the first data_size bytes of the data (-1: all). */
static void
patch_header (const char *path, const char *old, const char *rep, long data_size)
{
  FILE *f = fopen (path, "rb");
  CHECK (f != NULL, "open %s", path);
  fseek (f, 0, SEEK_END);
  long size = ftell (f);
  fseek (f, 0, SEEK_SET);
  unsigned char *buf = malloc ((size_t) size);
  CHECK (fread (buf, 1, (size_t) size, f) == (size_t) size, "read %s", path);
  fclose (f);
  uint64_t n0 = 0;
  for (int i = 7; i >= 0; i--)
    n0 = (n0 << 8) | buf[i];
  size_t n = (size_t) n0;
  char *header = strndup ((const char *) buf + 8, n);
  while (n > 0 && header[n - 1] == ' ')
    header[--n] = '\0';
  char *at = strstr (header, old);
  CHECK (at != NULL, "no %s in the header of %s", old, path);
  size_t pre = (size_t) (at - header), lo = strlen (old), lr = strlen (rep);
  size_t len = n - lo + lr, padded = (len + 7) / 8 * 8;
  char *nh = malloc (padded);
  memcpy (nh, header, pre);
  memcpy (nh + pre, rep, lr);
  memcpy (nh + pre + lr, at + lo, n - pre - lo);
  memset (nh + len, ' ', padded - len);
  unsigned char le[8];
  for (int i = 0; i < 8; i++)
    le[i] = (unsigned char) ((uint64_t) padded >> (8 * i));
  size_t data = (size_t) size - 8 - (size_t) n0;
  if (data_size >= 0 && (size_t) data_size < data)
    data = (size_t) data_size;
  f = fopen (path, "wb");
  CHECK (f && fwrite (le, 1, 8, f) == 8 && fwrite (nh, 1, padded, f) == padded &&
           fwrite (buf + 8 + n0, 1, data, f) == data,
         "write %s", path);
  fclose (f);
  free (nh);
  free (header);
  free (buf);
}

/* The text of a checkpoint's header. */
static char *
read_header (const char *path)
{
  FILE *f = fopen (path, "rb");
  unsigned char le[8];
  CHECK (f && fread (le, 1, 8, f) == 8, "read %s", path);
  uint64_t n = 0;
  for (int i = 7; i >= 0; i--)
    n = (n << 8) | le[i];
  char *h = calloc (1, (size_t) n + 1);
  CHECK (fread (h, 1, (size_t) n, f) == (size_t) n, "read %s", path);
  fclose (f);
  return h;
}

/* A checkpoint saved on the other kind of device (a project moved from a
 * laptop to a GPU server, or back) resumes: iteration, weights and
 * optimizer as saved, the sampling generator seeded afresh, the same way
 * every time. */
static void
test_cross_device (void)
{
  LkTorchError err;
  LkTorchModelConfig c = tiny_config ();
  LkTorchTrainConfig t = tiny_train_config ();
  Faces a = make_faces (0, 12), b = make_faces (1, 12);
  make_tmpdir ();
  char path[8192];
  snprintf (path, sizeof path, "%s/moved.safetensors", tmpdir);
  lk_torch_set_deterministic (1, 1234);

  LkTorchModel *m = new_model (&c, 5);
  LkTorchTrainer *tr = new_trainer (m, &t, &a, &b, 1);
  LkTorchLosses l;
  CHECK_OK (lk_torch_trainer_step (tr, 3, &l, &err), err);
  CHECK_OK (lk_torch_trainer_save (tr, path, NULL, NULL, 0, &err), err);
  int cuda = lk_torch_model_get_device (m) == LK_TORCH_DEVICE_CUDA;
  const char *here = cuda ? "cuda" : "cpu", *there = cuda ? "cpu" : "cuda";
  char from[64], to[64];
  snprintf (from, sizeof from, "\"likeness.device\":\"%s\"", here);
  snprintf (to, sizeof to, "\"likeness.device\":\"%s\"", there);
  patch_header (path, from, to, -1);
  if (!cuda) {
    /* A CUDA generator's state is its seed and offset, 16 bytes, where the
     * CPU's (a Mersenne Twister) is 5056: make it so. rng.state is the last
     * tensor of the file. */
    char *h = read_header (path);
    const char *at = strstr (h, "\"rng.state\":");
    long shape = 0, begin = 0, end = 0;
    CHECK (at && sscanf (at, "\"rng.state\":{\"dtype\":\"U8\",\"shape\":[%ld],"
                             "\"data_offsets\":[%ld,%ld]}", &shape, &begin, &end) == 3,
           "rng.state entry");
    char old_e[256], new_e[256];
    snprintf (old_e, sizeof old_e, "\"shape\":[%ld],\"data_offsets\":[%ld,%ld]", shape, begin,
              end);
    snprintf (new_e, sizeof new_e, "\"shape\":[16],\"data_offsets\":[%ld,%ld]", begin,
              begin + 16);
    patch_header (path, old_e, new_e, begin + 16);
    free (h);
  }

  LkTorchLosses next[2];
  for (int run = 0; run < 2; run++) {
    LkTorchModel *m2 = new_model (&c, 99);
    LkTorchTrainer *tr2 = new_trainer (m2, &t, &a, &b, 1);
    LkTorchStatus st = lk_torch_trainer_load (tr2, path, &err);
    CHECK (st == LK_TORCH_OK, "a checkpoint from the %s does not load on the %s: %s (%s)", there,
           here, lk_torch_status_to_string (st), err.message);
    CHECK (lk_torch_trainer_get_iteration (tr2) == 3, "iteration after load");
    CHECK_OK (lk_torch_trainer_step (tr2, 1, &next[run], &err), err);
    CHECK (next[run].iteration == 4 && finite_losses (&next[run]), "step after the move");
    lk_torch_trainer_free (tr2);
    lk_torch_model_free (m2);
  }
  printf ("after the move: %.9g %.9g, again %.9g %.9g\n", next[0].loss[0], next[0].loss[1],
          next[1].loss[0], next[1].loss[1]);
  if (!cuda)
    CHECK (memcmp (next[0].loss, next[1].loss, sizeof next[0].loss) == 0,
           "the generator is not seeded the same way each time");
  /* The weights are the saved ones: the loss is near the one before the
   * move (a fresh model's is far higher). */
  CHECK (next[0].loss[0] < 1.5f * l.loss[0], "loss %.6f after the move, %.6f before",
         next[0].loss[0], l.loss[0]);

  lk_torch_trainer_free (tr);
  lk_torch_model_free (m);
  lk_torch_set_deterministic (0, 1);
  remove_tmpdir ();
  free_faces (&a);
  free_faces (&b);
}

/* config.cuda_graphs: where graphs cannot be used (the CPU, a build without
 * them) the steps stay eager, the reason is given and the losses are exactly
 * those of an eager run; on CUDA with graph support the timed steps replay
 * the captured step and the losses follow the eager run's. */
static void
test_cuda_graph (void)
{
  LkTorchError err;
  LkTorchModelConfig c = tiny_config ();
  LkTorchTrainConfig t = tiny_train_config ();
  t.gan = 1;
  t.critic_width = 8;
  Faces a = make_faces (0, 12), b = make_faces (1, 12);
  enum { STEPS = 8 };
  LkTorchLosses l[2][STEPS];
  char reason[2][256];
  int on[2], cuda = 0;
  for (int run = 0; run < 2; run++) {
    LkTorchModel *m = new_model (&c, 5);
    cuda = lk_torch_model_get_device (m) == LK_TORCH_DEVICE_CUDA;
    /* Graphs are off in deterministic mode, so CUDA runs are not; on the CPU
     * deterministic runs must match exactly. */
    lk_torch_set_deterministic (!cuda, 1234);
    t.cuda_graphs = run;
    LkTorchTrainer *tr = new_trainer (m, &t, &a, &b, 1);
    for (int i = 0; i < STEPS; i++)
      CHECK_OK (lk_torch_trainer_step (tr, 1, &l[run][i], &err), err);
    on[run] = lk_torch_trainer_get_cuda_graph (tr, reason[run], sizeof reason[run]);
    CHECK (l[run][STEPS - 1].iteration == STEPS, "iteration %lld",
           (long long) l[run][STEPS - 1].iteration);
    CHECK (finite_losses (&l[run][STEPS - 1]), "losses (graphs %d)", run);
    lk_torch_trainer_free (tr);
    lk_torch_model_free (m);
  }
  CHECK (on[0] == 0 && reason[0][0] == '\0', "graphs not asked for, yet %d \"%s\"", on[0],
         reason[0]);
  printf ("graphs asked for: %s%s\n", on[1] ? "replayed" : "not used: ", reason[1]);
  if (!cuda) {
    CHECK (on[1] == 0 && strstr (reason[1], "CUDA device") != NULL, "CPU: %d \"%s\"", on[1],
           reason[1]);
    CHECK (memcmp (l[0], l[1], sizeof l[0]) == 0, "CPU: losses differ with cuda_graphs set");
  } else if (strstr (reason[1], "no CUDA graph support") == NULL) {
    CHECK (on[1] == 1, "CUDA: the graph is not used: %s", reason[1]);
    for (int i = 0; i < STEPS; i++) {
      printf ("step %d: eager %.6f %.6f, graphs %.6f %.6f\n", i + 1, l[0][i].loss[0],
              l[0][i].loss[1], l[1][i].loss[0], l[1][i].loss[1]);
      for (int k = 0; k < 2; k++)
        CHECK (fabsf (l[0][i].loss[k] - l[1][i].loss[k]) <= 0.02f * fabsf (l[0][i].loss[k]),
               "step %d identity %d: eager loss %.6f, with graphs %.6f", i + 1, k,
               l[0][i].loss[k], l[1][i].loss[k]);
    }
  }
  lk_torch_set_deterministic (0, 1);
  free_faces (&a);
  free_faces (&b);
}

static void
expect_corrupt_full (const char *path, const char *what, int header_level)
{
  LkTorchError err;
  LkTorchModelConfig c = tiny_config ();
  LkTorchModel *m = new_model (&c, 1);
  LkTorchStatus s = lk_torch_model_load (m, path, &err);
  CHECK (s == LK_TORCH_ERROR_CORRUPT, "%s: status %s (%s)", what, lk_torch_status_to_string (s),
         err.message);
  CHECK (strstr (err.message, path) != NULL, "%s: message does not name the file: %s", what,
         err.message);
  LkTorchCheckpointInfo info;
  if (header_level)
    CHECK (lk_torch_checkpoint_read_info (path, &info, &err) == LK_TORCH_ERROR_CORRUPT,
           "%s: info", what);
  CHECK (lk_torch_model_new_from_checkpoint (path, LK_TORCH_DEVICE_CPU, &err) == NULL, "%s: new",
         what);
  printf ("%s: %s\n", what, err.message);
  lk_torch_model_free (m);
}

static void
expect_corrupt (const char *path, const char *what)
{
  expect_corrupt_full (path, what, 1);
}

static void
write_file (const char *path, const void *data, size_t n)
{
  FILE *f = fopen (path, "wb");
  CHECK (f && fwrite (data, 1, n, f) == n, "write %s", path);
  fclose (f);
}

static void
test_corrupt (void)
{
  LkTorchError err;
  LkTorchModelConfig c = tiny_config ();
  LkTorchModel *m = new_model (&c, 1);
  make_tmpdir ();
  char good[8192], bad[8192];
  snprintf (good, sizeof good, "%s/good.safetensors", tmpdir);
  snprintf (bad, sizeof bad, "%s/bad.safetensors", tmpdir);
  CHECK_OK (lk_torch_model_save (m, good, NULL, NULL, 0, &err), err);
  long size = file_size (good);
  CHECK (size > 1000, "size %ld", size);

  /* Truncated at several places. */
  long cuts[] = { 0, 5, 8, 60, size / 2, size - 1 };
  for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
    char what[64];
    copy_prefix (good, bad, cuts[i]);
    snprintf (what, sizeof what, "truncated to %ld bytes", cuts[i]);
    expect_corrupt (bad, what);
  }
  /* Extra bytes after the data. */
  copy_prefix (good, bad, size);
  FILE *f = fopen (bad, "ab");
  fputs ("junk", f);
  fclose (f);
  expect_corrupt (bad, "trailing bytes");

  /* A garbage header with a plausible length. */
  const char *hdr = "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]";
  unsigned char g[8 + 64 + 4] = { 64, 0, 0, 0, 0, 0, 0, 0 };
  memset (g + 8, '#', 64 + 4);
  memcpy (g + 8, hdr, strlen (hdr));
  write_file (bad, g, sizeof g);
  expect_corrupt (bad, "garbage header");
  /* A header length far beyond the file. */
  unsigned char h[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, '{', '}' };
  write_file (bad, h, sizeof h);
  expect_corrupt (bad, "huge header length");
  /* Random bytes. */
  unsigned char r[4096];
  unsigned x = 12345;
  for (size_t i = 0; i < sizeof r; i++)
    r[i] = (unsigned char) ((x = x * 1103515245 + 12345) >> 16);
  write_file (bad, r, sizeof r);
  expect_corrupt (bad, "random bytes");

  /* The right length and JSON, but a dtype changed: F32 -> I32. */
  copy_prefix (good, bad, size);
  {
    FILE *fp = fopen (bad, "r+b");
    char *buf = malloc (size);
    CHECK (fread (buf, 1, size, fp) == (size_t) size, "read back");
    char *p = memmem (buf, size, "\"F32\"", 5);
    CHECK (p, "no F32 in the header");
    p[1] = 'I';
    fseek (fp, 0, SEEK_SET);
    fwrite (buf, 1, size, fp);
    fclose (fp);
    free (buf);
  }
  /* (read_info checks the header only: the dtype is found by a load) */
  expect_corrupt_full (bad, "wrong dtype", 0);

  /* A missing file is an I/O error naming it. */
  snprintf (bad, sizeof bad, "%s/missing.safetensors", tmpdir);
  CHECK (lk_torch_model_load (m, bad, &err) == LK_TORCH_ERROR_IO && strstr (err.message, bad),
         "missing file: %s", err.message);
  /* The good one still loads. */
  CHECK_OK (lk_torch_model_load (m, good, &err), err);
  remove_tmpdir ();
  lk_torch_model_free (m);
}

static void
test_gan (void)
{
  LkTorchError err;
  LkTorchModelConfig c = tiny_config ();
  LkTorchTrainConfig t = tiny_train_config ();
  t.gan = 1;
  t.critic_width = 8;
  t.gan_weight = 0.5f;
  Faces a = make_faces (0, 8), b = make_faces (1, 8);
  LkTorchModel *m = new_model (&c, 3);
  LkTorchTrainer *tr = new_trainer (m, &t, &a, &b, 0);
  LkTorchLosses l;
  for (int i = 0; i < 4; i++) {
    CHECK_OK (lk_torch_trainer_step (tr, 1, &l, &err), err);
    CHECK (finite_losses (&l), "non-finite losses at step %d", i);
    CHECK (l.gan_generator_loss > 0 && l.gan_critic_loss > 0, "GAN losses %g %g",
           l.gan_generator_loss, l.gan_critic_loss);
    printf ("step %lld: A %.4f B %.4f G %.4f D %.4f\n", (long long) l.iteration, l.loss[0],
            l.loss[1], l.gan_generator_loss, l.gan_critic_loss);
  }
  lk_torch_trainer_free (tr);
  lk_torch_model_free (m);
  free_faces (&a);
  free_faces (&b);
}

static void
test_learns (void)
{
  LkTorchError err;
  LkTorchModelConfig c = tiny_config ();
  LkTorchTrainConfig t = tiny_train_config ();
  t.batch_size = 8;
  t.learning_rate = 2e-3f;
  Faces a = make_faces (0, 16), b = make_faces (1, 16);
  LkTorchModel *m = new_model (&c, 11);
  LkTorchTrainer *tr = new_trainer (m, &t, &a, &b, 1);
  const int steps = 150, window = 5;
  double first[2] = { 0 }, last[2] = { 0 };
  LkTorchLosses l;
  for (int i = 0; i < steps; i++) {
    CHECK_OK (lk_torch_trainer_step (tr, 1, &l, &err), err);
    CHECK (finite_losses (&l), "non-finite at %d", i);
    for (int k = 0; k < 2; k++) {
      if (i < window)
        first[k] += l.loss[k] / window;
      if (i >= steps - window)
        last[k] += l.loss[k] / window;
    }
  }
  printf ("loss over %d steps: A %.4f -> %.4f, B %.4f -> %.4f\n", steps, first[0], last[0],
          first[1], last[1]);
  for (int k = 0; k < 2; k++)
    CHECK (last[k] < 0.6 * first[k], "identity %d: loss %.4f -> %.4f did not fall clearly", k,
           first[k], last[k]);
  lk_torch_trainer_free (tr);
  lk_torch_model_free (m);
  free_faces (&a);
  free_faces (&b);
}

static int
count_tmp_files (const char *name)
{
  DIR *d = opendir (tmpdir);
  struct dirent *e;
  int n = 0;
  size_t len = strlen (name);
  while ((e = readdir (d)))
    if (!strncmp (e->d_name, name, len) && strstr (e->d_name + len, ".tmp-"))
      n++;
  closedir (d);
  return n;
}

/* The child of crash-save: trains a different model and saves it over path,
 * with LK_TORCH_TEST_SAVE_EXIT_AFTER making the save _exit() half-way. */
static int
crash_save_child (const char *path)
{
  LkTorchError err;
  LkTorchModelConfig c = tiny_config ();
  LkTorchTrainConfig t = tiny_train_config ();
  Faces a = make_faces (0, 4), b = make_faces (1, 4);
  LkTorchModel *m = new_model (&c, 77);
  LkTorchTrainer *tr = new_trainer (m, &t, &a, &b, 0);
  CHECK_OK (lk_torch_trainer_step (tr, 1, NULL, &err), err);
  lk_torch_trainer_save (tr, path, NULL, NULL, 0, &err);
  fprintf (stderr, "child: the save was not interrupted (%s)\n", err.message);
  return 3;
}

static void
test_crash_save (void)
{
  LkTorchError err;
  LkTorchModelConfig c = tiny_config ();
  LkTorchTrainConfig t = tiny_train_config ();
  Faces a = make_faces (0, 4), b = make_faces (1, 4);
  LkTorchModel *m = new_model (&c, 1);
  LkTorchTrainer *tr = new_trainer (m, &t, &a, &b, 0);
  CHECK_OK (lk_torch_trainer_step (tr, 2, NULL, &err), err);
  make_tmpdir ();
  char path[8192];
  snprintf (path, sizeof path, "%s/model.safetensors", tmpdir);
  CHECK_OK (lk_torch_trainer_save (tr, path, NULL, NULL, 0, &err), err);
  long size = file_size (path);
  Outputs before = make_outputs (4), after = make_outputs (4);
  swap (m, 1, &a, &before);

  /* A second save, killed half-way (in another process). */
  fflush (NULL);
  pid_t pid = fork ();
  CHECK (pid >= 0, "fork");
  if (pid == 0) {
    char n[32];
    snprintf (n, sizeof n, "%ld", size / 2);
    setenv ("LK_TORCH_TEST_SAVE_EXIT_AFTER", n, 1);
    execl ("/proc/self/exe", "test-torch", "crash-save-child", path, (char *) NULL);
    _exit (127);
  }
  int status = 0;
  CHECK (waitpid (pid, &status, 0) == pid, "waitpid");
  CHECK (WIFEXITED (status) && WEXITSTATUS (status) == 99, "child status %d", status);
  CHECK (count_tmp_files ("model.safetensors") == 1, "no leftover temporary file");
  CHECK (file_size (path) == size, "the checkpoint changed size");

  /* The previous checkpoint is intact. */
  LkTorchCheckpointInfo info;
  CHECK_OK (lk_torch_checkpoint_read_info (path, &info, &err), err);
  CHECK (info.iteration == 2, "iteration %lld", (long long) info.iteration);
  LkTorchModel *m2 = lk_torch_model_new_from_checkpoint (path, LK_TORCH_DEVICE_AUTO, &err);
  CHECK (m2, "load after the crash: %s", err.message);
  swap (m2, 1, &a, &after);
  CHECK (memcmp (before.rgb, after.rgb, 4 * S * S * 3) == 0, "the checkpoint changed");
  /* Saving again works with the stale temporary file still there. */
  CHECK_OK (lk_torch_trainer_step (tr, 1, NULL, &err), err);
  CHECK_OK (lk_torch_trainer_save (tr, path, NULL, NULL, 0, &err), err);
  CHECK_OK (lk_torch_checkpoint_read_info (path, &info, &err), err);
  CHECK (info.iteration == 3, "iteration after the next save");
  /* Saving into a missing folder fails cleanly. */
  char nodir[8192];
  snprintf (nodir, sizeof nodir, "%s/no/such/dir/x.safetensors", tmpdir);
  CHECK (lk_torch_trainer_save (tr, nodir, NULL, NULL, 0, &err) == LK_TORCH_ERROR_IO &&
           strstr (err.message, nodir), "save to a missing folder: %s", err.message);

  remove_tmpdir ();
  free_outputs (&before);
  free_outputs (&after);
  lk_torch_trainer_free (tr);
  lk_torch_model_free (m);
  lk_torch_model_free (m2);
  free_faces (&a);
  free_faces (&b);
}

static int
max_diff (const uint8_t *a, const uint8_t *b, size_t n)
{
  int m = 0;
  for (size_t i = 0; i < n; i++)
    m = abs (a[i] - b[i]) > m ? abs (a[i] - b[i]) : m;
  return m;
}

static void
test_preview (void)
{
  LkTorchError err;
  LkTorchModelConfig c = tiny_config ();
  LkTorchTrainConfig t = tiny_train_config ();
  Faces a = make_faces (0, 6), b = make_faces (1, 6);
  LkTorchModel *m = new_model (&c, 1);
  LkTorchTrainer *tr = new_trainer (m, &t, &a, &b, 0);
  CHECK_OK (lk_torch_trainer_step (tr, 3, NULL, &err), err);
  Outputs o = make_outputs (8);
  int ai[2] = { 1, 4 }, bi[2] = { 5, 0 };
  CHECK_OK (lk_torch_trainer_preview (tr, ai, bi, 2, o.rgb_v, &err), err);
  /* Against the swap API: out[4i+1] = A[ai[i]] -> B, out[4i+3] = B[bi[i]] -> A. */
  Outputs s = make_outputs (1);
  Faces one = a;
  one.rgb_v = &a.rgb_v[4];
  swap (m, 1, &one, &s);
  /* (other batch sizes may pick other kernels: allow rounding differences) */
  CHECK (max_diff (s.rgb, o.rgb_v[5].data, S * S * 3) <= 2, "preview A->B differs from swap");
  one.rgb_v = &b.rgb_v[0];
  swap (m, 0, &one, &s);
  CHECK (max_diff (s.rgb, o.rgb_v[7].data, S * S * 3) <= 2, "preview B->A differs from swap");
  CHECK (memcmp (o.rgb_v[0].data, o.rgb_v[1].data, S * S * 3) != 0, "A->A equals A->B");
  int bad[1] = { 6 };
  CHECK (lk_torch_trainer_preview (tr, bad, NULL, 1, o.rgb_v, &err) ==
           LK_TORCH_ERROR_INVALID_ARGUMENT, "index out of range accepted");
  free_outputs (&s);
  free_outputs (&o);
  lk_torch_trainer_free (tr);
  lk_torch_model_free (m);
  free_faces (&a);
  free_faces (&b);
}

static void
test_masks (void)
{
  LkTorchError err;
  LkTorchModelConfig c = tiny_config ();
  LkTorchTrainConfig t = tiny_train_config ();
  t.pixel_loss = LK_TORCH_LOSS_MSE;
  t.face_area_only = 1;
  t.eye_mouth_weight = 3.0f;
  Faces a = make_faces (0, 6), b = make_faces (1, 6);
  LkTorchModel *m = new_model (&c, 1);
  LkTorchTrainer *tr = new_trainer (m, &t, &a, &b, 1);
  LkTorchLosses l;
  CHECK_OK (lk_torch_trainer_step (tr, 2, &l, &err), err);
  CHECK (finite_losses (&l) && l.mask_loss[0] > 0 && l.pixel_loss[0] > 0 && l.dssim_loss[0] > 0,
         "losses with masks");
  CHECK (l.gan_generator_loss == 0 && l.gan_critic_loss == 0, "GAN losses without GAN");
  lk_torch_trainer_free (tr);

  /* bf16 autocast (on the CPU here: slow, but it must work). */
  t.precision = LK_TORCH_PRECISION_BF16;
  tr = new_trainer (m, &t, &a, &b, 1);
  CHECK_OK (lk_torch_trainer_step (tr, 1, &l, &err), err);
  CHECK (finite_losses (&l), "bf16 losses");
  lk_torch_trainer_free (tr);

  /* A mask of the wrong shape is refused. */
  tr = new_trainer (m, &t, &a, &b, 0);
  LkTorchPixels wrong = a.face_v[0];
  wrong.channels = 3;
  CHECK (lk_torch_trainer_set_faces (tr, 0, a.rgb_v, &wrong, NULL, 1, &err) ==
           LK_TORCH_ERROR_INVALID_ARGUMENT, "3-channel mask accepted");
  lk_torch_trainer_free (tr);
  lk_torch_model_free (m);
  free_faces (&a);
  free_faces (&b);
}

/* For check-safetensors.py: a trainer checkpoint with a critic. */
static int
write_checkpoint (const char *path)
{
  LkTorchError err;
  LkTorchModelConfig c = tiny_config ();
  LkTorchTrainConfig t = tiny_train_config ();
  t.gan = 1;
  t.critic_width = 8;
  Faces a = make_faces (0, 4), b = make_faces (1, 4);
  LkTorchModel *m = new_model (&c, 1);
  LkTorchTrainer *tr = new_trainer (m, &t, &a, &b, 1);
  CHECK_OK (lk_torch_trainer_step (tr, 2, NULL, &err), err);
  const char *names[] = { "Alice", "Bob" };
  LkTorchMetadata meta[] = { { "note", "caf\xc3\xa9 \"1\"" } };
  CHECK_OK (lk_torch_trainer_save (tr, path, names, meta, 1, &err), err);
  lk_torch_trainer_free (tr);
  lk_torch_model_free (m);
  free_faces (&a);
  free_faces (&b);
  return 0;
}

int
main (int argc, char **argv)
{
  static const struct {
    const char *name;
    void (*fn) (void);
  } cases[] = {
    { "device", test_device },       { "forward", test_forward },
    { "params", test_params },       { "config", test_config },
    { "save-load", test_save_load }, { "resume", test_resume },
    { "corrupt", test_corrupt },     { "gan", test_gan },
    { "learns", test_learns },       { "crash-save", test_crash_save },
    { "preview", test_preview },     { "masks", test_masks },
    { "cuda-graph", test_cuda_graph }, { "cross-device", test_cross_device },
  };
  if (argc == 3 && !strcmp (argv[1], "write-checkpoint")) {
    current_case = "write-checkpoint";
    return write_checkpoint (argv[2]);
  }
  if (argc == 3 && !strcmp (argv[1], "crash-save-child")) {
    current_case = "crash-save-child";
    return crash_save_child (argv[2]);
  }
  if (argc != 2) {
    fprintf (stderr, "usage: %s CASE\n", argv[0]);
    return 2;
  }
  /* Few threads: tests run side by side on small machines. */
  lk_torch_set_num_threads (2);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    if (!strcmp (argv[1], cases[i].name)) {
      current_case = cases[i].name;
      cases[i].fn ();
      printf ("PASS %s\n", current_case);
      return 0;
    }
  fprintf (stderr, "unknown case %s\n", argv[1]);
  return 2;
}
