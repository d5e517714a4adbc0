//===- CalibrationData.cpp - Read calibration samples for quantization ----===//
//
// Readers for the calibration formats described in CalibrationData.h: ONNX
// TensorProto files (through OnnxLoader's readTensorProto), numpy .npy and
// .npz (parsed here: a Python-literal header, a minimal zip reader) and CSV
// sensor logs. Every reader checks shapes and values before it returns a
// sample; nothing here throws.
//
//===----------------------------------------------------------------------===//

#include "compiler/calibration/CalibrationData.h"

#include "compiler/import/OnnxLoader.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/bit.h"
#include "llvm/Support/CRC.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/ErrorOr.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>

#ifdef TEMPO_HAVE_ZLIB
#include <zlib.h>
#endif

using namespace mlir::tempo;
using llvm::ArrayRef;
using llvm::StringRef;
using llvm::support::endian::read16le;
using llvm::support::endian::read32le;
using llvm::support::endian::read64le;

namespace {

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// "[1x3x128]", as the loader prints shapes.
std::string shapeString(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "x" : "") + std::to_string(shape[i]);
  return s + "]";
}

int64_t numElements(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

/// The index of flat element `flat` in an array of `shape`: "[3, 0, 17]".
std::string indexString(int64_t flat, ArrayRef<int64_t> shape) {
  llvm::SmallVector<int64_t> index(shape.size());
  for (size_t i = shape.size(); i-- > 0;) {
    index[i] = flat % shape[i];
    flat /= shape[i];
  }
  std::string s = "[";
  for (size_t i = 0; i < index.size(); ++i)
    s += (i ? ", " : "") + std::to_string(index[i]);
  return s + "]";
}

std::string plural(int64_t n, StringRef word) {
  return std::to_string(n) + " " + word.str() + (n == 1 ? "" : "s");
}

/// Reads a whole file; on failure sets `problem`.
std::unique_ptr<llvm::MemoryBuffer> readWholeFile(const std::string &path,
                                                  std::string &problem) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) {
    problem = "cannot read the file: " + buffer.getError().message();
    return nullptr;
  }
  if ((*buffer)->getBufferSize() == 0) {
    problem = "the file is empty";
    return nullptr;
  }
  return std::move(*buffer);
}

/// Parses "input_<k>.pb" (k without leading zeros).
bool parseInputFileName(StringRef name, int64_t &index) {
  if (!name.consume_front("input_") || !name.consume_back(".pb") ||
      name.empty() || (name.size() > 1 && name.front() == '0'))
    return false;
  return !name.getAsInteger(10, index);
}

struct DirEntry {
  std::string name;
  std::string path;
  bool isDir;
};

/// Lists `dir` without hidden entries, sorted by name with digit runs
/// compared as numbers (test_data_set_2 before test_data_set_10).
bool listDirectory(const std::string &dir, std::vector<DirEntry> &entries,
                   std::string &problem) {
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec)) {
    StringRef name = llvm::sys::path::filename(it->path());
    if (name.starts_with("."))
      continue;
    entries.push_back(
        {name.str(), it->path(), llvm::sys::fs::is_directory(it->path())});
  }
  if (ec) {
    problem = "cannot list the folder: " + ec.message();
    return false;
  }
  llvm::sort(entries, [](const DirEntry &a, const DirEntry &b) {
    int order = StringRef(a.name).compare_numeric(b.name);
    return order ? order < 0 : a.name < b.name;
  });
  return true;
}

//===----------------------------------------------------------------------===//
// .npy
//===----------------------------------------------------------------------===//

struct NpyDtype {
  const char *descr;
  char kind; // 'f', 'i' or 'u'
  unsigned size;
};

constexpr NpyDtype kNpyDtypes[] = {
    {"<f4", 'f', 4}, {"<f8", 'f', 8}, {"|i1", 'i', 1}, {"|u1", 'u', 1},
    {"<i2", 'i', 2}, {"<u2", 'u', 2}, {"<i4", 'i', 4}, {"<i8", 'i', 8},
};

struct NpyArray {
  const NpyDtype *dtype = nullptr;
  std::vector<int64_t> shape;
  StringRef data;
};

/// A cursor over the Python dict literal of a .npy header, e.g.
/// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
class PyLiteral {
public:
  explicit PyLiteral(StringRef text) : rest(text) {}

  bool consume(char c) {
    rest = rest.ltrim(" \t\r\n");
    if (!rest.starts_with(StringRef(&c, 1)))
      return false;
    rest = rest.drop_front();
    return true;
  }
  bool peek(char c) {
    rest = rest.ltrim(" \t\r\n");
    return rest.starts_with(StringRef(&c, 1));
  }
  bool parseString(std::string &s) {
    rest = rest.ltrim(" \t\r\n");
    if (rest.empty() || (rest.front() != '\'' && rest.front() != '"'))
      return false;
    size_t end = rest.find(rest.front(), 1);
    if (end == StringRef::npos)
      return false;
    s = rest.slice(1, end).str();
    rest = rest.drop_front(end + 1);
    return true;
  }
  bool parseBool(bool &b) {
    rest = rest.ltrim(" \t\r\n");
    if (rest.consume_front("True"))
      return b = true;
    if (rest.consume_front("False"))
      return !(b = false);
    return false;
  }
  /// A tuple of non-negative ints: (), (3,), (2, 3).
  bool parseShape(std::vector<int64_t> &shape) {
    if (!consume('('))
      return false;
    while (!consume(')')) {
      rest = rest.ltrim(" \t\r\n");
      unsigned long long d;
      if (rest.consumeInteger(10, d) || d > (1ull << 62))
        return false;
      rest.consume_front("L"); // Python 2 longs
      shape.push_back(static_cast<int64_t>(d));
      if (!consume(','))
        return consume(')');
    }
    return true;
  }

private:
  StringRef rest;
};

/// Parses the .npy format (versions 1.0, 2.0, 3.0) in `bytes`.
bool parseNpy(StringRef bytes, NpyArray &out, std::string &problem) {
  if (bytes.size() < 10 || !bytes.starts_with("\x93NUMPY")) {
    problem = "not a .npy file (no \\x93NUMPY magic)";
    return false;
  }
  unsigned major = static_cast<uint8_t>(bytes[6]);
  unsigned minor = static_cast<uint8_t>(bytes[7]);
  size_t headerStart, headerLen;
  if (major == 1 && minor == 0) {
    headerStart = 10;
    headerLen = read16le(bytes.data() + 8);
  } else if ((major == 2 || major == 3) && minor == 0 && bytes.size() >= 12) {
    headerStart = 12;
    headerLen = read32le(bytes.data() + 8);
  } else {
    problem = ".npy format version " + std::to_string(major) + "." +
              std::to_string(minor) +
              " is not supported (1.0, 2.0 and 3.0 are)";
    return false;
  }
  if (headerLen > bytes.size() - headerStart) {
    problem = "truncated .npy header";
    return false;
  }
  PyLiteral header(bytes.substr(headerStart, headerLen));
  std::string descr;
  bool fortran = false, haveDescr = false, haveOrder = false, haveShape = false;
  auto malformed = [&] {
    problem = "malformed .npy header";
    return false;
  };
  if (!header.consume('{'))
    return malformed();
  while (!header.consume('}')) {
    std::string key;
    if (!header.parseString(key) || !header.consume(':'))
      return malformed();
    if (key == "descr") {
      if (header.peek('[')) {
        problem = "structured dtypes are not supported";
        return false;
      }
      if (!header.parseString(descr))
        return malformed();
      haveDescr = true;
    } else if (key == "fortran_order") {
      if (!header.parseBool(fortran))
        return malformed();
      haveOrder = true;
    } else if (key == "shape") {
      if (!header.parseShape(out.shape))
        return malformed();
      haveShape = true;
    } else {
      return malformed();
    }
    if (!header.consume(',')) {
      if (!header.consume('}'))
        return malformed();
      break;
    }
  }
  if (!haveDescr || !haveOrder || !haveShape)
    return malformed();
  if (fortran) {
    problem = "the array is in Fortran order; save it in C order "
              "(np.ascontiguousarray)";
    return false;
  }
  for (const NpyDtype &d : kNpyDtypes)
    if (descr == d.descr)
      out.dtype = &d;
  if (!out.dtype) {
    problem = "dtype '" + descr +
              "' is not supported (use <f4; <f8, |i1, |u1, <i2, <u2, <i4 "
              "and <i8 are converted)";
    return false;
  }
  // Sizes come from the file: check the product cannot overflow.
  uint64_t count = 1;
  for (int64_t d : out.shape) {
    if (d && count > (uint64_t(1) << 62) / d) {
      problem = "the array shape " + shapeString(out.shape) + " is too large";
      return false;
    }
    count *= d;
  }
  out.data = bytes.drop_front(headerStart + headerLen);
  uint64_t want = count * out.dtype->size;
  if (out.data.size() != want) {
    problem = "the data holds " + std::to_string(out.data.size()) +
              " bytes, shape " + shapeString(out.shape) + " of " + descr +
              " needs " + std::to_string(want);
    return false;
  }
  return true;
}

/// Element `i` of `a` as a double.
double npyElement(const NpyArray &a, int64_t i) {
  const char *p = a.data.data() + i * a.dtype->size;
  switch (a.dtype->kind) {
  case 'f':
    if (a.dtype->size == 4)
      return llvm::bit_cast<float>(read32le(p));
    return llvm::bit_cast<double>(read64le(p));
  case 'u':
    return a.dtype->size == 1 ? static_cast<uint8_t>(*p) : read16le(p);
  default:
    switch (a.dtype->size) {
    case 1:
      return static_cast<int8_t>(*p);
    case 2:
      return static_cast<int16_t>(read16le(p));
    case 4:
      return static_cast<int32_t>(read32le(p));
    default:
      return static_cast<double>(static_cast<int64_t>(read64le(p)));
    }
  }
}

/// How many samples of an input of shape `input` an array of shape `array`
/// holds: exactly `input` is one; [N, input...] is N; with input = [1,
/// rest...], [N, rest...] is N. Returns -1 if none applies.
int64_t npySampleCount(ArrayRef<int64_t> array, ArrayRef<int64_t> input) {
  if (array == input)
    return 1;
  if (array.size() == input.size() + 1 && array.drop_front() == input)
    return array.front();
  if (!input.empty() && input.front() == 1 && array.size() == input.size() &&
      array.drop_front() == input.drop_front())
    return array.front();
  return -1;
}

//===----------------------------------------------------------------------===//
// Zip (.npz)
//===----------------------------------------------------------------------===//

struct ZipMember {
  std::string name;
  uint16_t flags = 0;
  uint16_t method = 0;
  uint32_t crc = 0;
  uint64_t compressedSize = 0;
  uint64_t size = 0;
  uint64_t localOffset = 0;
};

/// Reads the central directory of the zip archive `z`.
bool listZip(StringRef z, std::vector<ZipMember> &members,
             std::string &problem) {
  auto truncated = [&] {
    problem = "not a valid zip archive (truncated or corrupt)";
    return false;
  };
  if (z.size() < 22) {
    problem = "not a zip archive (too short)";
    return false;
  }
  // The end-of-central-directory record ends the file, before a comment of
  // at most 64 KiB.
  size_t eocd = StringRef::npos;
  size_t lowest = z.size() > 22 + 65535 ? z.size() - 22 - 65535 : 0;
  for (size_t i = z.size() - 22 + 1; i-- > lowest;)
    if (read32le(z.data() + i) == 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd == StringRef::npos) {
    problem = "not a zip archive (no end of central directory)";
    return false;
  }
  const char *e = z.data() + eocd;
  uint64_t count = read16le(e + 10);
  uint64_t cdSize = read32le(e + 12);
  uint64_t cdOffset = read32le(e + 16);
  // Zip64: a locator just before the record points at the real one.
  if (eocd >= 20 && read32le(e - 20) == 0x07064b50) {
    uint64_t z64 = read64le(e - 20 + 8);
    if (z64 > z.size() || z.size() - z64 < 56 ||
        read32le(z.data() + z64) != 0x06064b50)
      return truncated();
    count = read64le(z.data() + z64 + 32);
    cdSize = read64le(z.data() + z64 + 40);
    cdOffset = read64le(z.data() + z64 + 48);
  }
  if (cdOffset > z.size() || cdSize > z.size() - cdOffset)
    return truncated();
  size_t pos = cdOffset, end = cdOffset + cdSize;
  for (uint64_t i = 0; i < count; ++i) {
    if (end - pos < 46 || read32le(z.data() + pos) != 0x02014b50)
      return truncated();
    const char *c = z.data() + pos;
    ZipMember m;
    m.flags = read16le(c + 8);
    m.method = read16le(c + 10);
    m.crc = read32le(c + 16);
    m.compressedSize = read32le(c + 20);
    m.size = read32le(c + 24);
    size_t nameLen = read16le(c + 28), extraLen = read16le(c + 30),
           commentLen = read16le(c + 32);
    m.localOffset = read32le(c + 42);
    if (end - pos < 46 + nameLen + extraLen + commentLen)
      return truncated();
    m.name = z.substr(pos + 46, nameLen).str();
    // Saturated fields are in the zip64 extra field (id 1), in this order.
    StringRef extra = z.substr(pos + 46 + nameLen, extraLen);
    while (extra.size() >= 4) {
      uint16_t id = read16le(extra.data());
      size_t len =
          std::min<size_t>(read16le(extra.data() + 2), extra.size() - 4);
      StringRef body = extra.substr(4, len);
      if (id == 1)
        for (uint64_t *field : {&m.size, &m.compressedSize, &m.localOffset})
          if (*field == 0xFFFFFFFF) {
            if (body.size() < 8)
              return truncated();
            *field = read64le(body.data());
            body = body.drop_front(8);
          }
      extra = extra.drop_front(4 + len);
    }
    members.push_back(std::move(m));
    pos += 46 + nameLen + extraLen + commentLen;
  }
  return true;
}

/// The bytes of member `m`: a view into `z` if stored, else inflated into
/// `storage`.
bool extractZipMember(StringRef z, const ZipMember &m, std::string &storage,
                      StringRef &data, std::string &problem) {
  if (m.flags & 1) {
    problem = "is encrypted";
    return false;
  }
  uint64_t lo = m.localOffset;
  if (lo > z.size() || z.size() - lo < 30 ||
      read32le(z.data() + lo) != 0x04034b50) {
    problem = "is corrupt (bad local header)";
    return false;
  }
  uint64_t start =
      lo + 30 + read16le(z.data() + lo + 26) + read16le(z.data() + lo + 28);
  if (start > z.size() || z.size() - start < m.compressedSize) {
    problem = "is truncated";
    return false;
  }
  StringRef raw = z.substr(start, m.compressedSize);
  if (m.method == 0) {
    if (m.compressedSize != m.size) {
      problem = "is corrupt (stored sizes differ)";
      return false;
    }
    data = raw;
  } else if (m.method == 8) {
#ifdef TEMPO_HAVE_ZLIB
    if (raw.size() > UINT32_MAX || m.size > UINT32_MAX) {
      problem = "is too large to decompress";
      return false;
    }
    storage.assign(m.size, '\0');
    z_stream zs;
    std::memset(&zs, 0, sizeof(zs));
    if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) {
      problem = "cannot be decompressed (zlib failed to start)";
      return false;
    }
    zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(raw.data()));
    zs.avail_in = static_cast<uInt>(raw.size());
    zs.next_out = reinterpret_cast<Bytef *>(storage.data());
    zs.avail_out = static_cast<uInt>(m.size);
    int rc = inflate(&zs, Z_FINISH);
    uint64_t produced = zs.total_out;
    inflateEnd(&zs);
    if (rc != Z_STREAM_END || produced != m.size) {
      problem = "is corrupt (its deflate stream does not decode)";
      return false;
    }
    data = storage;
#else
    problem = "is compressed (np.savez_compressed), but this tempoc was "
              "built without zlib; save the data with np.savez";
    return false;
#endif
  } else {
    problem = "uses zip compression method " + std::to_string(m.method) +
              "; only stored (np.savez) and deflated (np.savez_compressed) "
              "members are supported";
    return false;
  }
  if (llvm::crc32(llvm::arrayRefFromStringRef(data)) != m.crc) {
    problem = "is corrupt (CRC mismatch)";
    return false;
  }
  return true;
}

//===----------------------------------------------------------------------===//
// CSV
//===----------------------------------------------------------------------===//

/// Parses one CSV cell as a finite float; on failure sets `problem`.
bool parseCell(StringRef cell, float &value, std::string &problem) {
  if (cell.empty()) {
    problem = "empty cell";
    return false;
  }
  StringRef text = cell;
  if (text.consume_front("+") &&
      (text.starts_with("-") || text.starts_with("+")))
    text = StringRef(); // "+-1" is not a number
  const char *first = text.begin(), *last = text.end();
  auto [ptr, ec] = std::from_chars(first, last, value);
  if (ec == std::errc::result_out_of_range && ptr == last) {
    // Underflow to zero or a subnormal is fine; overflow is not.
    double d;
    auto wide = std::from_chars(first, last, d);
    if (wide.ec == std::errc() && wide.ptr == last && std::fabs(d) < 1.0) {
      value = static_cast<float>(d);
      return true;
    }
    problem = "'" + cell.str() + "' is out of float32 range";
    return false;
  }
  if (ec != std::errc() || ptr != last || text.empty()) {
    problem = "'" + cell.str() + "' is not a number";
    return false;
  }
  if (!std::isfinite(value)) {
    problem = "'" + cell.str() + "' is not a finite number";
    return false;
  }
  return true;
}

/// True if `cell` reads as a number (NaN and out of range included): a
/// header row has no such cell.
bool looksNumeric(StringRef cell) {
  cell.consume_front("+");
  double d;
  auto [ptr, ec] = std::from_chars(cell.begin(), cell.end(), d);
  return !cell.empty() && ec != std::errc::invalid_argument &&
         ptr == cell.end();
}

//===----------------------------------------------------------------------===//
// The reader
//===----------------------------------------------------------------------===//

class Reader {
public:
  Reader(const std::vector<InputSpec> &inputs,
         const CalibrationOptions &options, std::vector<CalibrationSample> &out,
         std::string &error)
      : inputs(inputs), options(options), out(out), error(error),
        base(out.size()) {}

  bool readPath(const std::string &path);

private:
  bool fail(const std::string &where, const std::string &message) {
    error = where + ": " + message;
    return false;
  }
  bool full() const {
    return options.maxSamples && out.size() - base >= options.maxSamples;
  }
  /// "model input 'x' [1x3x128]".
  std::string describeInput(size_t i) const {
    return "model input '" + inputs[i].name + "' " +
           shapeString(inputs[i].shape);
  }
  /// Fails unless every value is finite.
  bool checkFinite(const std::string &where, ArrayRef<float> values,
                   ArrayRef<int64_t> shape, int64_t flatOffset = 0);

  bool readDirectory(const std::string &dir);
  bool readTestDataSet(const std::string &dir);
  bool readTensorFile(const std::string &path, size_t input,
                      std::vector<float> &values);
  bool readPbFile(const std::string &path);
  bool readNpyFile(const std::string &path);
  bool readNpzFile(const std::string &path);
  bool readCsvFile(const std::string &path);
  /// Sample `sample` of input `input` from `a`, checked finite.
  bool npySample(const std::string &where, const NpyArray &a, size_t input,
                 int64_t sample, std::vector<float> &values);

  const std::vector<InputSpec> &inputs;
  const CalibrationOptions &options;
  std::vector<CalibrationSample> &out;
  std::string &error;
  /// Samples in `out` before this read.
  size_t base;
};

bool Reader::checkFinite(const std::string &where, ArrayRef<float> values,
                         ArrayRef<int64_t> shape, int64_t flatOffset) {
  for (size_t i = 0; i < values.size(); ++i)
    if (!std::isfinite(values[i]))
      return fail(where, std::string("element ") +
                             indexString(flatOffset + i, shape) + " is " +
                             (std::isnan(values[i]) ? "NaN" : "infinite"));
  return true;
}

bool Reader::readPath(const std::string &path) {
  if (llvm::sys::fs::is_directory(path))
    return readDirectory(path);
  if (!llvm::sys::fs::exists(path))
    return fail(path, "no such file or folder");
  std::string ext = llvm::sys::path::extension(path).lower();
  if (ext == ".pb")
    return readPbFile(path);
  if (ext == ".npy")
    return readNpyFile(path);
  if (ext == ".npz")
    return readNpzFile(path);
  if (ext == ".csv")
    return readCsvFile(path);
  return fail(path, "unknown calibration data format (expected a folder of "
                    "test_data_set_*/input_*.pb, or a .pb, .npy, .npz or "
                    ".csv file)");
}

bool Reader::readDirectory(const std::string &dir) {
  std::vector<DirEntry> entries;
  std::string problem;
  if (!listDirectory(dir, entries, problem))
    return fail(dir, problem);

  // The ONNX test-data layout: test_data_set_*/ folders, or one of them.
  bool anySet = false, anyInputFile = false;
  for (const DirEntry &e : entries) {
    int64_t k;
    anySet |= e.isDir && StringRef(e.name).starts_with("test_data_set_");
    anyInputFile |= !e.isDir && parseInputFileName(e.name, k);
  }
  if (anySet) {
    for (const DirEntry &e : entries)
      if (e.isDir && StringRef(e.name).starts_with("test_data_set_")) {
        if (full())
          break;
        if (!readTestDataSet(e.path))
          return false;
      }
    return true;
  }
  if (anyInputFile)
    return readTestDataSet(dir);

  // Otherwise every data file in the folder, in name order.
  bool any = false;
  for (const DirEntry &e : entries) {
    std::string ext = llvm::sys::path::extension(e.name).lower();
    if (e.isDir ||
        !llvm::is_contained({".pb", ".npy", ".npz", ".csv"}, StringRef(ext)))
      continue;
    any = true;
    if (full())
      break;
    if (!readPath(e.path))
      return false;
  }
  if (!any)
    return fail(dir, "the folder holds no calibration data "
                     "(test_data_set_* folders, or .pb, .npy, .npz or .csv "
                     "files)");
  return true;
}

bool Reader::readTestDataSet(const std::string &dir) {
  std::vector<DirEntry> entries;
  std::string problem;
  if (!listDirectory(dir, entries, problem))
    return fail(dir, problem);
  std::map<int64_t, std::string> files;
  for (const DirEntry &e : entries) {
    int64_t k;
    if (e.isDir || !parseInputFileName(e.name, k))
      continue;
    if (k >= static_cast<int64_t>(inputs.size()))
      return fail(e.path, "the model has only " +
                              plural(inputs.size(), "input") +
                              " (input_0.pb ... input_" +
                              std::to_string(inputs.size() - 1) + ".pb)");
    files[k] = e.path;
  }
  for (size_t i = 0; i < inputs.size(); ++i)
    if (!files.count(i))
      return fail(dir, "missing input_" + std::to_string(i) + ".pb for " +
                           describeInput(i) + " (the model has " +
                           plural(inputs.size(), "input") + ")");
  CalibrationSample sample;
  sample.origin = dir;
  sample.inputs.resize(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i)
    if (!readTensorFile(files[i], i, sample.inputs[i]))
      return false;
  out.push_back(std::move(sample));
  return true;
}

bool Reader::readTensorFile(const std::string &path, size_t input,
                            std::vector<float> &values) {
  onnx::TensorProto t;
  if (!readTensorProto(path, t, error))
    return false;
  // A tensor named after another input is in the wrong file.
  if (!t.name().empty() && t.name() != inputs[input].name)
    for (size_t j = 0; j < inputs.size(); ++j)
      if (inputs[j].name == t.name())
        return fail(path, "holds tensor '" + t.name() +
                              "', which is model input " + std::to_string(j) +
                              ", not " + describeInput(input));
  if (t.data_type() != onnx::TensorProto::FLOAT) {
    std::string type =
        onnx::TensorProto::DataType_IsValid(t.data_type())
            ? onnx::TensorProto::DataType_Name(
                  static_cast<onnx::TensorProto::DataType>(t.data_type()))
            : std::to_string(t.data_type());
    return fail(path, "element type " + type +
                          "; calibration data must be float32 (FLOAT)");
  }
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    return fail(path, "the tensor uses external data, which is not supported");
  std::vector<int64_t> dims(t.dims().begin(), t.dims().end());
  const std::vector<int64_t> &shape = inputs[input].shape;
  if (dims != shape)
    return fail(path, "shape " + shapeString(dims) + " does not match " +
                          describeInput(input));
  int64_t n = numElements(shape);
  values.resize(n);
  if (t.has_raw_data()) {
    const std::string &raw = t.raw_data();
    if (raw.size() != static_cast<size_t>(n) * 4)
      return fail(path, "the tensor holds " + std::to_string(raw.size()) +
                            " bytes, shape " + shapeString(shape) + " needs " +
                            std::to_string(n * 4));
    for (int64_t i = 0; i < n; ++i)
      values[i] = llvm::bit_cast<float>(read32le(raw.data() + 4 * i));
  } else {
    if (t.float_data_size() != n)
      return fail(path, "the tensor holds " +
                            plural(t.float_data_size(), "value") + ", shape " +
                            shapeString(shape) + " needs " + std::to_string(n));
    std::copy(t.float_data().begin(), t.float_data().end(), values.begin());
  }
  return checkFinite(path, values, shape);
}

bool Reader::readPbFile(const std::string &path) {
  if (inputs.size() != 1)
    return fail(path, "a single .pb file is one input, but the model has " +
                          plural(inputs.size(), "input") +
                          "; use test_data_set_*/input_<i>.pb folders");
  if (full())
    return true;
  CalibrationSample sample;
  sample.origin = path;
  sample.inputs.resize(1);
  if (!readTensorFile(path, 0, sample.inputs[0]))
    return false;
  out.push_back(std::move(sample));
  return true;
}

bool Reader::npySample(const std::string &where, const NpyArray &a,
                       size_t input, int64_t sample,
                       std::vector<float> &values) {
  int64_t n = numElements(inputs[input].shape);
  values.resize(n);
  for (int64_t i = 0; i < n; ++i) {
    int64_t flat = sample * n + i;
    double v = npyElement(a, flat);
    if (!std::isfinite(v))
      return fail(where, "element " + indexString(flat, a.shape) + " is " +
                             (std::isnan(v) ? "NaN" : "infinite"));
    if (std::fabs(v) > FLT_MAX)
      return fail(where, "element " + indexString(flat, a.shape) + " (" +
                             std::to_string(v) + ") is out of float32 range");
    values[i] = static_cast<float>(v);
  }
  return true;
}

bool Reader::readNpyFile(const std::string &path) {
  if (inputs.size() != 1)
    return fail(path, "a .npy file holds one array, but the model has " +
                          plural(inputs.size(), "input") +
                          "; use an .npz archive or test_data_set_* folders");
  std::string problem;
  auto buffer = readWholeFile(path, problem);
  if (!buffer)
    return fail(path, problem);
  NpyArray a;
  if (!parseNpy(buffer->getBuffer(), a, problem))
    return fail(path, problem);
  int64_t count = npySampleCount(a.shape, inputs[0].shape);
  if (count < 0)
    return fail(path, "shape " + shapeString(a.shape) + " does not match " +
                          describeInput(0) + " (expected " +
                          shapeString(inputs[0].shape) +
                          " for one sample or [N, ...] for N)");
  if (count == 0)
    return fail(path, "the array holds no samples");
  for (int64_t s = 0; s < count && !full(); ++s) {
    CalibrationSample sample;
    sample.origin = count == 1 ? path : path + " sample " + std::to_string(s);
    sample.inputs.resize(1);
    if (!npySample(path, a, 0, s, sample.inputs[0]))
      return false;
    out.push_back(std::move(sample));
  }
  return true;
}

bool Reader::readNpzFile(const std::string &path) {
  std::string problem;
  auto buffer = readWholeFile(path, problem);
  if (!buffer)
    return fail(path, problem);
  StringRef z = buffer->getBuffer();
  std::vector<ZipMember> members;
  if (!listZip(z, members, problem))
    return fail(path, problem);

  // Pick the member of every input.
  std::vector<const ZipMember *> chosen;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const ZipMember *found = nullptr;
    std::string names[] = {inputs[i].name + ".npy", inputs[i].name,
                           "arr_" + std::to_string(i) + ".npy"};
    for (const std::string &name : names) {
      for (const ZipMember &m : members)
        if (m.name == name)
          found = &m;
      if (found)
        break;
    }
    if (!found && inputs.size() == 1 && members.size() == 1)
      found = &members.front();
    if (!found) {
      std::string held;
      for (const ZipMember &m : members)
        held += (held.empty() ? "" : ", ") + m.name;
      return fail(path, "no member for " + describeInput(i) + " (looked for " +
                            names[0] + " and " + names[2] +
                            "; the archive holds " +
                            (held.empty() ? "nothing" : held) + ")");
    }
    if (llvm::is_contained(chosen, found))
      return fail(path, "member " + found->name + " would feed two inputs");
    chosen.push_back(found);
  }

  std::vector<std::string> storage(inputs.size());
  std::vector<NpyArray> arrays(inputs.size());
  std::vector<std::string> wheres(inputs.size());
  int64_t count = -1;
  for (size_t i = 0; i < inputs.size(); ++i) {
    wheres[i] = path + ", member " + chosen[i]->name;
    StringRef data;
    if (!extractZipMember(z, *chosen[i], storage[i], data, problem))
      return fail(path, "member " + chosen[i]->name + " " + problem);
    if (!parseNpy(data, arrays[i], problem))
      return fail(wheres[i], problem);
    int64_t c = npySampleCount(arrays[i].shape, inputs[i].shape);
    if (c < 0)
      return fail(wheres[i], "shape " + shapeString(arrays[i].shape) +
                                 " does not match " + describeInput(i) +
                                 " (expected " + shapeString(inputs[i].shape) +
                                 " for one sample or [N, ...] for N)");
    if (c == 0)
      return fail(wheres[i], "the array holds no samples");
    if (count >= 0 && c != count)
      return fail(path, "member " + chosen[i]->name + " holds " +
                            plural(c, "sample") + " but " + chosen[0]->name +
                            " holds " + std::to_string(count));
    count = c;
  }
  for (int64_t s = 0; s < count && !full(); ++s) {
    CalibrationSample sample;
    sample.origin = count == 1 ? path : path + " sample " + std::to_string(s);
    sample.inputs.resize(inputs.size());
    for (size_t i = 0; i < inputs.size(); ++i)
      if (!npySample(wheres[i], arrays[i], i, s, sample.inputs[i]))
        return false;
    out.push_back(std::move(sample));
  }
  return true;
}

bool Reader::readCsvFile(const std::string &path) {
  if (inputs.size() != 1)
    return fail(path, "a CSV log feeds one input, but the model has " +
                          plural(inputs.size(), "input"));
  const std::vector<int64_t> &shape = inputs[0].shape;
  bool batched = shape.size() == 3 && shape[0] == 1;
  if (!batched && shape.size() != 2)
    return fail(path, "CSV data needs a model input of shape [1xCxT], "
                      "[1xTxC] or [TxC]; " +
                          describeInput(0) + " is none of these");
  std::string problem;
  auto buffer = readWholeFile(path, problem);
  if (!buffer)
    return fail(path, problem);
  StringRef text = buffer->getBuffer();
  text.consume_front("\xEF\xBB\xBF"); // UTF-8 byte order mark

  auto at = [&](int64_t line, size_t column = 0) {
    return path + ":" + std::to_string(line) +
           (column ? ":" + std::to_string(column) : std::string());
  };

  // The first row (header or data) fixes the layout.
  int64_t channels = 0, steps = 0;
  bool channelsFirst = false, haveLayout = false;
  int64_t headerLine = 0;
  std::vector<std::string> header;
  std::vector<float> values;
  std::vector<int64_t> rowLines;
  int64_t lineNo = 0;
  llvm::SmallVector<StringRef> cells;
  while (!text.empty()) {
    StringRef line;
    std::tie(line, text) = text.split('\n');
    ++lineNo;
    line = line.trim(" \t\r");
    if (line.empty() || line.starts_with("#"))
      continue;
    cells.clear();
    line.split(cells, ',', /*MaxSplit=*/-1, /*KeepEmpty=*/true);
    for (StringRef &cell : cells) {
      cell = cell.trim(" \t");
      if (cell.size() >= 2 && cell.front() == '"' && cell.back() == '"')
        cell = cell.drop_front().drop_back().trim(" \t");
    }
    int64_t columns = cells.size();
    if (!haveLayout) {
      if (batched && columns == shape[1]) {
        channels = shape[1];
        steps = shape[2];
        channelsFirst = true; // [1, C, T], also when C == T
      } else if (columns == shape.back()) {
        channels = shape.back();
        steps = shape[shape.size() - 2];
      } else {
        std::string need = batched
                               ? std::to_string(shape[1]) + " ([1xCxT]) or " +
                                     std::to_string(shape[2]) + " ([1xTxC])"
                               : std::to_string(shape[1]) + " ([TxC])";
        return fail(at(lineNo), "row has " + plural(columns, "column") + "; " +
                                    describeInput(0) +
                                    " needs one column per channel: " + need);
      }
      haveLayout = true;
      if (llvm::none_of(cells, looksNumeric)) {
        headerLine = lineNo;
        for (StringRef cell : cells)
          header.push_back(cell.str());
        continue;
      }
    }
    if (columns != channels)
      return fail(at(lineNo), "row has " + plural(columns, "column") +
                                  ", expected " + std::to_string(channels) +
                                  " (the channels of " + describeInput(0) +
                                  ")");
    for (size_t c = 0; c < cells.size(); ++c) {
      float v;
      if (!parseCell(cells[c], v, problem))
        return fail(at(lineNo, c + 1),
                    problem + (header.empty()
                                   ? std::string()
                                   : " in column '" + header[c] + "'"));
      values.push_back(v);
    }
    rowLines.push_back(lineNo);
  }

  int64_t rows = rowLines.size();
  if (rows == 0)
    return fail(path, headerLine
                          ? "only a header row (line " +
                                std::to_string(headerLine) + "), no data rows"
                          : std::string("no data rows"));
  if (rows < steps)
    return fail(path, plural(rows, "data row") + ", fewer than the " +
                          std::to_string(steps) +
                          " time steps of one window of " + describeInput(0));
  int64_t stride = options.csvStride ? options.csvStride : steps;
  for (int64_t start = 0; start + steps <= rows && !full(); start += stride) {
    CalibrationSample sample;
    sample.origin = path + " lines " + std::to_string(rowLines[start]) + "-" +
                    std::to_string(rowLines[start + steps - 1]);
    std::vector<float> &v = sample.inputs.emplace_back(channels * steps);
    const float *window = values.data() + start * channels;
    for (int64_t t = 0; t < steps; ++t)
      for (int64_t c = 0; c < channels; ++c)
        v[channelsFirst ? c * steps + t : t * channels + c] =
            window[t * channels + c];
    out.push_back(std::move(sample));
  }
  return true;
}

} // namespace

bool mlir::tempo::readCalibrationData(const std::string &path,
                                      const std::vector<InputSpec> &inputs,
                                      const CalibrationOptions &options,
                                      std::vector<CalibrationSample> &out,
                                      std::string &error) {
  if (inputs.empty()) {
    error = "the model has no inputs to calibrate";
    return false;
  }
  for (const InputSpec &in : inputs)
    if (llvm::any_of(in.shape, [](int64_t d) { return d <= 0; })) {
      error = "model input '" + in.name + "' has shape " +
              shapeString(in.shape) + "; calibration needs static dims";
      return false;
    }
  if (options.csvStride < 0) {
    error = "the calibration stride must be positive, got " +
            std::to_string(options.csvStride);
    return false;
  }
  size_t before = out.size();
  Reader reader(inputs, options, out, error);
  if (!reader.readPath(path)) {
    out.resize(before);
    return false;
  }
  if (out.size() == before) {
    error = path + ": no calibration samples";
    return false;
  }
  return true;
}

bool mlir::tempo::calibrationSupportsDeflate() {
#ifdef TEMPO_HAVE_ZLIB
  return true;
#else
  return false;
#endif
}
