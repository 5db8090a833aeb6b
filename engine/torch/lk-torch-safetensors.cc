/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The safetensors layout, without libtorch: an 8-byte little-endian header
 * length N, N bytes of JSON
 *   {"__metadata__": {"k": "v", ...},
 *    "name": {"dtype": "F32", "shape": [a, b], "data_offsets": [begin, end]}, ...}
 * (padded with spaces to a multiple of 8), then the tensors' bytes, offsets
 * relative to the start of that data section.
 */
#include "lk-torch-private.hh"

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lk {

void
fail (LkTorchStatus status, const char *fmt, ...)
{
  char buf[LK_TORCH_ERROR_MESSAGE_SIZE];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (buf, sizeof buf, fmt, ap);
  va_end (ap);
  throw Exception (status, buf);
}

namespace st {

static constexpr uint64_t MAX_HEADER = 100u * 1024 * 1024;

size_t
dtype_size (const std::string &d)
{
  if (d == "F64" || d == "I64" || d == "U64")
    return 8;
  if (d == "F32" || d == "I32" || d == "U32")
    return 4;
  if (d == "F16" || d == "BF16" || d == "I16" || d == "U16")
    return 2;
  if (d == "I8" || d == "U8" || d == "BOOL" || d == "F8_E4M3" || d == "F8_E5M2")
    return 1;
  return 0;
}

/* ---- A small JSON reader, enough for a safetensors header -------------- */

namespace {

struct Json {
  enum Kind { NUL, BOOL, NUM, STR, ARR, OBJ } kind = NUL;
  bool b = false;
  bool is_int = false;
  int64_t i = 0;
  double d = 0;
  std::string s;
  std::vector<Json> arr;
  std::vector<std::pair<std::string, Json>> obj;
};

class Parser {
public:
  Parser (const std::string &path, const char *p, size_t n) : path_ (path), p_ (p), end_ (p + n) {}

  Json parse_document ()
  {
    Json v = value (0);
    ws ();
    if (p_ != end_)
      error ("unexpected data after the JSON header");
    return v;
  }

private:
  const std::string &path_;
  const char *p_, *end_;
  const char *start_ = p_;

  [[noreturn]] void error (const char *what)
  {
    fail (LK_TORCH_ERROR_CORRUPT, "%s: not a valid checkpoint: bad JSON header at byte %zu: %s",
          path_.c_str (), (size_t) (p_ - start_), what);
  }

  void ws ()
  {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r'))
      p_++;
  }

  bool lit (const char *word)
  {
    size_t n = strlen (word);
    if ((size_t) (end_ - p_) >= n && memcmp (p_, word, n) == 0) {
      p_ += n;
      return true;
    }
    return false;
  }

  static void utf8 (std::string &out, uint32_t c)
  {
    if (c < 0x80) {
      out += (char) c;
    } else if (c < 0x800) {
      out += (char) (0xC0 | (c >> 6));
      out += (char) (0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += (char) (0xE0 | (c >> 12));
      out += (char) (0x80 | ((c >> 6) & 0x3F));
      out += (char) (0x80 | (c & 0x3F));
    } else {
      out += (char) (0xF0 | (c >> 18));
      out += (char) (0x80 | ((c >> 12) & 0x3F));
      out += (char) (0x80 | ((c >> 6) & 0x3F));
      out += (char) (0x80 | (c & 0x3F));
    }
  }

  uint32_t hex4 ()
  {
    if (end_ - p_ < 4)
      error ("truncated \\u escape");
    uint32_t v = 0;
    for (int k = 0; k < 4; k++) {
      char c = *p_++;
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= c - '0';
      else if (c >= 'a' && c <= 'f')
        v |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        v |= c - 'A' + 10;
      else
        error ("bad \\u escape");
    }
    return v;
  }

  std::string string ()
  {
    if (p_ >= end_ || *p_ != '"')
      error ("expected a string");
    p_++;
    std::string out;
    while (true) {
      if (p_ >= end_)
        error ("unterminated string");
      unsigned char c = (unsigned char) *p_++;
      if (c == '"')
        break;
      if (c < 0x20)
        error ("control character in a string");
      if (c != '\\') {
        out += (char) c;
        continue;
      }
      if (p_ >= end_)
        error ("unterminated escape");
      char e = *p_++;
      switch (e) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '/': out += '/'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        uint32_t cp = hex4 ();
        if (cp >= 0xD800 && cp < 0xDC00) {
          if (!lit ("\\u"))
            error ("lone surrogate");
          uint32_t lo = hex4 ();
          if (lo < 0xDC00 || lo >= 0xE000)
            error ("bad surrogate pair");
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else if (cp >= 0xDC00 && cp < 0xE000) {
          error ("lone surrogate");
        }
        utf8 (out, cp);
        break;
      }
      default:
        error ("bad escape");
      }
    }
    return out;
  }

  Json number ()
  {
    const char *s = p_;
    if (p_ < end_ && *p_ == '-')
      p_++;
    bool frac = false;
    while (p_ < end_ && ((*p_ >= '0' && *p_ <= '9') || *p_ == '.' || *p_ == 'e' || *p_ == 'E' ||
                         *p_ == '+' || *p_ == '-')) {
      if (*p_ == '.' || *p_ == 'e' || *p_ == 'E')
        frac = true;
      p_++;
    }
    std::string text (s, p_);
    if (text.empty () || text == "-")
      error ("expected a value");
    Json v;
    v.kind = Json::NUM;
    char *endp = nullptr;
    errno = 0;
    if (!frac) {
      long long x = strtoll (text.c_str (), &endp, 10);
      if (errno == 0 && *endp == '\0') {
        v.is_int = true;
        v.i = x;
        v.d = (double) x;
        return v;
      }
      if (errno == ERANGE)
        error ("integer out of range");
    }
    errno = 0;
    v.d = strtod (text.c_str (), &endp);
    if (*endp != '\0')
      error ("bad number");
    return v;
  }

  Json value (int depth)
  {
    if (depth > 16)
      error ("nested too deeply");
    ws ();
    if (p_ >= end_)
      error ("unexpected end of the header");
    Json v;
    char c = *p_;
    if (c == '{') {
      p_++;
      v.kind = Json::OBJ;
      ws ();
      if (p_ < end_ && *p_ == '}') {
        p_++;
        return v;
      }
      while (true) {
        ws ();
        std::string key = string ();
        ws ();
        if (p_ >= end_ || *p_ != ':')
          error ("expected ':'");
        p_++;
        v.obj.emplace_back (std::move (key), value (depth + 1));
        ws ();
        if (p_ < end_ && *p_ == ',') {
          p_++;
          continue;
        }
        if (p_ < end_ && *p_ == '}') {
          p_++;
          return v;
        }
        error ("expected ',' or '}'");
      }
    }
    if (c == '[') {
      p_++;
      v.kind = Json::ARR;
      ws ();
      if (p_ < end_ && *p_ == ']') {
        p_++;
        return v;
      }
      while (true) {
        v.arr.push_back (value (depth + 1));
        ws ();
        if (p_ < end_ && *p_ == ',') {
          p_++;
          continue;
        }
        if (p_ < end_ && *p_ == ']') {
          p_++;
          return v;
        }
        error ("expected ',' or ']'");
      }
    }
    if (c == '"') {
      v.kind = Json::STR;
      v.s = string ();
      return v;
    }
    if (lit ("true")) {
      v.kind = Json::BOOL;
      v.b = true;
      return v;
    }
    if (lit ("false")) {
      v.kind = Json::BOOL;
      return v;
    }
    if (lit ("null"))
      return v;
    return number ();
  }
};

void
json_string (std::string &out, const std::string &s)
{
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\r': out += "\\r"; break;
    case '\t': out += "\\t"; break;
    default:
      if (c < 0x20) {
        char buf[8];
        snprintf (buf, sizeof buf, "\\u%04x", c);
        out += buf;
      } else {
        out += (char) c;
      }
    }
  }
  out += '"';
}

bool
pread_all (int fd, void *dst, size_t n, uint64_t off)
{
  char *p = (char *) dst;
  while (n > 0) {
    ssize_t r = pread (fd, p, n, (off_t) off);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return false;
    p += r;
    n -= (size_t) r;
    off += (uint64_t) r;
  }
  return true;
}

} // namespace

Reader::Reader (const std::string &path) : path_ (path)
{
  fd_ = open (path.c_str (), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0)
    fail (errno == ENOENT ? LK_TORCH_ERROR_IO : LK_TORCH_ERROR_IO, "%s: cannot open: %s",
          path.c_str (), strerror (errno));
  try {
    struct stat sb;
    if (fstat (fd_, &sb) < 0)
      fail (LK_TORCH_ERROR_IO, "%s: cannot stat: %s", path.c_str (), strerror (errno));
    if (!S_ISREG (sb.st_mode))
      fail (LK_TORCH_ERROR_IO, "%s: not a regular file", path.c_str ());
    file_size_ = (uint64_t) sb.st_size;
    if (file_size_ < 8)
      fail (LK_TORCH_ERROR_CORRUPT,
            "%s: not a valid checkpoint: only %llu bytes, too short for the header length",
            path.c_str (), (unsigned long long) file_size_);
    unsigned char lenbuf[8];
    if (!pread_all (fd_, lenbuf, 8, 0))
      fail (LK_TORCH_ERROR_IO, "%s: cannot read: %s", path.c_str (), strerror (errno));
    uint64_t n = 0;
    for (int k = 7; k >= 0; k--)
      n = (n << 8) | lenbuf[k];
    if (n < 2 || n > MAX_HEADER || n > file_size_ - 8)
      fail (LK_TORCH_ERROR_CORRUPT,
            "%s: not a valid checkpoint: header length %llu does not fit the file size %llu "
            "(truncated or not a safetensors file)",
            path.c_str (), (unsigned long long) n, (unsigned long long) file_size_);
    data_start_ = 8 + n;
    std::string text (n, '\0');
    if (!pread_all (fd_, &text[0], n, 8))
      fail (LK_TORCH_ERROR_IO, "%s: cannot read the header: %s", path.c_str (), strerror (errno));

    Parser parser (path_, text.data (), text.size ());
    Json doc = parser.parse_document ();
    if (doc.kind != Json::OBJ)
      fail (LK_TORCH_ERROR_CORRUPT, "%s: not a valid checkpoint: the header is not a JSON object",
            path.c_str ());

    uint64_t data_size = file_size_ - data_start_;
    for (auto &kv : doc.obj) {
      const std::string &name = kv.first;
      const Json &v = kv.second;
      if (name == "__metadata__") {
        if (v.kind != Json::OBJ)
          fail (LK_TORCH_ERROR_CORRUPT, "%s: not a valid checkpoint: __metadata__ is not an object",
                path.c_str ());
        for (auto &m : v.obj) {
          if (m.second.kind != Json::STR)
            fail (LK_TORCH_ERROR_CORRUPT,
                  "%s: not a valid checkpoint: metadata \"%s\" is not a string", path.c_str (),
                  m.first.c_str ());
          metadata_[m.first] = m.second.s;
        }
        continue;
      }
      if (index_.count (name))
        fail (LK_TORCH_ERROR_CORRUPT, "%s: not a valid checkpoint: tensor \"%s\" appears twice",
              path.c_str (), name.c_str ());
      if (v.kind != Json::OBJ)
        fail (LK_TORCH_ERROR_CORRUPT, "%s: not a valid checkpoint: entry \"%s\" is not an object",
              path.c_str (), name.c_str ());
      TensorInfo t;
      t.name = name;
      bool have_dtype = false, have_shape = false, have_offsets = false;
      for (auto &f : v.obj) {
        if (f.first == "dtype" && f.second.kind == Json::STR) {
          t.dtype = f.second.s;
          have_dtype = true;
        } else if (f.first == "shape" && f.second.kind == Json::ARR) {
          for (auto &d : f.second.arr) {
            if (d.kind != Json::NUM || !d.is_int || d.i < 0)
              fail (LK_TORCH_ERROR_CORRUPT,
                    "%s: not a valid checkpoint: tensor \"%s\" has a bad shape", path.c_str (),
                    name.c_str ());
            t.shape.push_back (d.i);
          }
          have_shape = true;
        } else if (f.first == "data_offsets" && f.second.kind == Json::ARR &&
                   f.second.arr.size () == 2) {
          const Json &b = f.second.arr[0], &e = f.second.arr[1];
          if (b.kind != Json::NUM || !b.is_int || e.kind != Json::NUM || !e.is_int || b.i < 0 ||
              e.i < b.i)
            fail (LK_TORCH_ERROR_CORRUPT,
                  "%s: not a valid checkpoint: tensor \"%s\" has bad data_offsets", path.c_str (),
                  name.c_str ());
          t.begin = (uint64_t) b.i;
          t.end = (uint64_t) e.i;
          have_offsets = true;
        }
      }
      if (!have_dtype || !have_shape || !have_offsets)
        fail (LK_TORCH_ERROR_CORRUPT,
              "%s: not a valid checkpoint: tensor \"%s\" lacks dtype, shape or data_offsets",
              path.c_str (), name.c_str ());
      size_t es = dtype_size (t.dtype);
      if (es == 0)
        fail (LK_TORCH_ERROR_CORRUPT, "%s: not a valid checkpoint: tensor \"%s\" has dtype \"%s\"",
              path.c_str (), name.c_str (), t.dtype.c_str ());
      uint64_t numel = 1;
      for (int64_t d : t.shape) {
        if (d != 0 && numel > UINT64_MAX / 16 / (uint64_t) d)
          fail (LK_TORCH_ERROR_CORRUPT, "%s: not a valid checkpoint: tensor \"%s\" is too large",
                path.c_str (), name.c_str ());
        numel *= (uint64_t) d;
      }
      if (t.end - t.begin != numel * es)
        fail (LK_TORCH_ERROR_CORRUPT,
              "%s: not a valid checkpoint: tensor \"%s\" has %llu bytes for %llu %s values",
              path.c_str (), name.c_str (), (unsigned long long) (t.end - t.begin),
              (unsigned long long) numel, t.dtype.c_str ());
      if (t.end > data_size)
        fail (LK_TORCH_ERROR_CORRUPT,
              "%s: truncated checkpoint: tensor \"%s\" ends at byte %llu of the data but the file "
              "has only %llu data bytes",
              path.c_str (), name.c_str (), (unsigned long long) t.end,
              (unsigned long long) data_size);
      index_[name] = tensors_.size ();
      tensors_.push_back (std::move (t));
    }

    /* The data section must be covered exactly, without holes or overlaps. */
    std::vector<const TensorInfo *> sorted;
    for (auto &t : tensors_)
      sorted.push_back (&t);
    std::sort (sorted.begin (), sorted.end (), [] (const TensorInfo *a, const TensorInfo *b) {
      return a->begin < b->begin || (a->begin == b->begin && a->end < b->end);
    });
    uint64_t pos = 0;
    for (auto *t : sorted) {
      if (t->begin != pos)
        fail (LK_TORCH_ERROR_CORRUPT,
              "%s: not a valid checkpoint: tensor \"%s\" overlaps another or leaves a hole",
              path.c_str (), t->name.c_str ());
      pos = t->end;
    }
    if (pos != data_size)
      fail (LK_TORCH_ERROR_CORRUPT,
            "%s: not a valid checkpoint: %llu data bytes expected, the file has %llu",
            path.c_str (), (unsigned long long) pos, (unsigned long long) data_size);
  } catch (...) {
    close (fd_);
    fd_ = -1;
    throw;
  }
}

Reader::~Reader ()
{
  if (fd_ >= 0)
    close (fd_);
}

const TensorInfo *
Reader::find (const std::string &name) const
{
  auto it = index_.find (name);
  return it == index_.end () ? nullptr : &tensors_[it->second];
}

void
Reader::read (const TensorInfo &info, void *dst) const
{
  if (!pread_all (fd_, dst, info.end - info.begin, data_start_ + info.begin))
    fail (LK_TORCH_ERROR_IO, "%s: cannot read tensor \"%s\": %s", path_.c_str (),
          info.name.c_str (), errno ? strerror (errno) : "unexpected end of file");
}

/* ---- Writing ----------------------------------------------------------- */

namespace {

struct Writer {
  int fd;
  const std::string &tmp;
  uint64_t written = 0;
  uint64_t exit_after = 0; /* test hook: simulate a kill mid-save */

  void put (const void *data, size_t n)
  {
    const char *p = (const char *) data;
    while (n > 0) {
      size_t chunk = n;
      if (exit_after && written + chunk > exit_after)
        chunk = (size_t) (exit_after - written);
      ssize_t r = chunk ? write (fd, p, chunk) : 0;
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        fail (LK_TORCH_ERROR_IO, "%s: cannot write: %s", tmp.c_str (), strerror (errno));
      p += r;
      n -= (size_t) r;
      written += (uint64_t) r;
      if (exit_after && written >= exit_after)
        _exit (99);
    }
  }
};

std::string
dir_of (const std::string &path)
{
  size_t slash = path.rfind ('/');
  if (slash == std::string::npos)
    return ".";
  if (slash == 0)
    return "/";
  return path.substr (0, slash);
}

} // namespace

void
write_file (const std::string &path, const std::vector<WriteTensor> &tensors,
            const std::map<std::string, std::string> &metadata)
{
  std::string header = "{\"__metadata__\":{";
  bool first = true;
  for (auto &m : metadata) {
    if (!first)
      header += ',';
    first = false;
    json_string (header, m.first);
    header += ':';
    json_string (header, m.second);
  }
  header += '}';
  uint64_t off = 0;
  for (auto &t : tensors) {
    size_t es = dtype_size (t.dtype);
    uint64_t numel = 1;
    for (int64_t d : t.shape)
      numel *= (uint64_t) d;
    if (es == 0 || numel * es != t.nbytes)
      fail (LK_TORCH_ERROR_INTERNAL, "%s: tensor \"%s\" has %zu bytes, not %llu", path.c_str (),
            t.name.c_str (), t.nbytes, (unsigned long long) (numel * es));
    header += ',';
    json_string (header, t.name);
    header += ":{\"dtype\":\"" + t.dtype + "\",\"shape\":[";
    for (size_t k = 0; k < t.shape.size (); k++) {
      if (k)
        header += ',';
      header += std::to_string (t.shape[k]);
    }
    header += "],\"data_offsets\":[" + std::to_string (off) + "," +
              std::to_string (off + t.nbytes) + "]}";
    off += t.nbytes;
  }
  header += '}';
  while ((header.size () % 8) != 0)
    header += ' ';

  std::string tmp = path + ".tmp-XXXXXX";
  int fd = mkostemp (&tmp[0], O_CLOEXEC);
  if (fd < 0)
    fail (LK_TORCH_ERROR_IO, "%s: cannot create a temporary file in %s: %s", path.c_str (),
          dir_of (path).c_str (), strerror (errno));
  try {
    fchmod (fd, 0644);
    Writer w{fd, tmp};
    const char *hook = getenv ("LK_TORCH_TEST_SAVE_EXIT_AFTER");
    if (hook && *hook)
      w.exit_after = strtoull (hook, nullptr, 10);
    unsigned char lenbuf[8];
    uint64_t n = header.size ();
    for (int k = 0; k < 8; k++)
      lenbuf[k] = (unsigned char) (n >> (8 * k));
    w.put (lenbuf, 8);
    w.put (header.data (), header.size ());
    for (auto &t : tensors)
      w.put (t.data, t.nbytes);
    if (fsync (fd) < 0)
      fail (LK_TORCH_ERROR_IO, "%s: cannot sync: %s", tmp.c_str (), strerror (errno));
    if (close (fd) < 0) {
      fd = -1;
      fail (LK_TORCH_ERROR_IO, "%s: cannot close: %s", tmp.c_str (), strerror (errno));
    }
    fd = -1;
    if (rename (tmp.c_str (), path.c_str ()) < 0)
      fail (LK_TORCH_ERROR_IO, "%s: cannot rename %s to it: %s", path.c_str (), tmp.c_str (),
            strerror (errno));
  } catch (...) {
    if (fd >= 0)
      close (fd);
    unlink (tmp.c_str ());
    throw;
  }
  int dfd = open (dir_of (path).c_str (), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync (dfd);
    close (dfd);
  }
}

} // namespace st
} // namespace lk
