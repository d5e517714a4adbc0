//===- CalibrationDataTest.cpp - Calibration data readers
//------------------===//
//
// Every format round-trips known values exactly, and every rejected input
// gets a message naming the file (and for CSV the line and column). The
// data is written by the tests into a temporary folder; the two .npz files
// in calibration_data/ come from numpy's own zip layout
// (make_calibration_data.py).
//
//===----------------------------------------------------------------------===//

#include "compiler/calibration/CalibrationData.h"

#include "compiler/import/OnnxLoader.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/CRC.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>

using namespace mlir::tempo;
using llvm::StringRef;

namespace {

//===----------------------------------------------------------------------===//
// Writers for the test data
//===----------------------------------------------------------------------===//

template <typename T> std::string bytesOf(const std::vector<T> &values) {
  std::string s(values.size() * sizeof(T), '\0');
  std::memcpy(s.data(), values.data(), s.size()); // the host is little-endian
  return s;
}

void put16(std::string &s, uint32_t v) {
  s += char(v & 0xFF);
  s += char((v >> 8) & 0xFF);
}
void put32(std::string &s, uint32_t v) {
  put16(s, v & 0xFFFF);
  put16(s, v >> 16);
}

/// A .npy file as numpy writes it: magic, version, header length, a dict
/// literal padded to 64 bytes, the data.
std::string npy(StringRef descr, const std::vector<int64_t> &shape,
                const std::string &data, bool fortran = false, int major = 1) {
  std::string dims;
  for (int64_t d : shape)
    dims += std::to_string(d) + ", ";
  if (shape.size() > 1)
    dims.resize(dims.size() - 2);
  else if (shape.size() == 1)
    dims.resize(dims.size() - 1);
  std::string header = "{'descr': '" + descr.str() +
                       "', 'fortran_order': " + (fortran ? "True" : "False") +
                       ", 'shape': (" + dims + "), }";
  size_t prefix = major == 1 ? 10 : 12;
  header.append(63 - (prefix + header.size()) % 64, ' ');
  header += '\n';
  std::string out = "\x93NUMPY";
  out += char(major);
  out += char(0);
  if (major == 1)
    put16(out, header.size());
  else
    put32(out, header.size());
  return out + header + data;
}

struct ZipEntry {
  std::string name;
  std::string data;
  /// 0: stored; 8: deflated (written as stored deflate blocks, valid for
  /// any inflater); anything else is written as stored with that method.
  uint16_t method = 0;
};

/// A zip archive, without zip64 records (numpy's variant with zip64 local
/// headers is in the checked-in fixtures).
std::string zip(const std::vector<ZipEntry> &entries) {
  std::string out, central;
  for (const ZipEntry &e : entries) {
    std::string body = e.data;
    if (e.method == 8) {
      body.clear();
      size_t pos = 0;
      do {
        size_t len = std::min<size_t>(e.data.size() - pos, 65535);
        body += char(pos + len == e.data.size() ? 1 : 0); // BFINAL, stored
        put16(body, len);
        put16(body, ~len & 0xFFFF);
        body += e.data.substr(pos, len);
        pos += len;
      } while (pos < e.data.size());
    }
    uint32_t crc = llvm::crc32(llvm::arrayRefFromStringRef(e.data));
    uint32_t offset = out.size();
    auto common = [&](std::string &s) {
      put16(s, 20);       // version needed
      put16(s, 0);        // flags
      put16(s, e.method); // method
      put32(s, 0);        // time, date
      put32(s, crc);
      put32(s, body.size());
      put32(s, e.data.size());
      put16(s, e.name.size());
      put16(s, 0); // extra length
    };
    put32(out, 0x04034b50);
    common(out);
    out += e.name + body;
    put32(central, 0x02014b50);
    put16(central, 20); // version made by
    common(central);
    put16(central, 0); // comment length
    put16(central, 0); // disk
    put16(central, 0); // internal attributes
    put32(central, 0); // external attributes
    put32(central, offset);
    central += e.name;
  }
  uint32_t cdOffset = out.size();
  out += central;
  put32(out, 0x06054b50);
  put32(out, 0); // disks
  put16(out, entries.size());
  put16(out, entries.size());
  put32(out, central.size());
  put32(out, cdOffset);
  put16(out, 0); // comment length
  return out;
}

std::string fixtureDir() {
  return (llvm::sys::path::parent_path(__FILE__) + "/calibration_data").str();
}

class CalibrationDataTest : public ::testing::Test {
protected:
  void SetUp() override {
    llvm::SmallString<128> path;
    ASSERT_FALSE(
        llvm::sys::fs::createUniqueDirectory("tempo-calibration", path));
    dir = path.str().str();
  }
  void TearDown() override { llvm::sys::fs::remove_directories(dir); }

  /// DIR/NAME, its parent folders created.
  std::string path(StringRef name) {
    std::string p = dir + "/" + name.str();
    llvm::sys::fs::create_directories(llvm::sys::path::parent_path(p));
    return p;
  }
  std::string write(StringRef name, const std::string &bytes) {
    std::string p = path(name);
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }
  std::string writeTensor(StringRef name, const std::vector<int64_t> &dims,
                          const std::vector<float> &values, bool raw = true,
                          int type = onnx::TensorProto::FLOAT,
                          StringRef tensorName = "") {
    onnx::TensorProto t;
    t.set_name(tensorName.str());
    t.set_data_type(type);
    for (int64_t d : dims)
      t.add_dims(d);
    if (raw)
      t.set_raw_data(bytesOf(values));
    else
      for (float v : values)
        t.add_float_data(v);
    std::string p = path(name), error;
    EXPECT_TRUE(writeTensorProto(p, t, error)) << error;
    return p;
  }

  /// Reads DATA; `error` is cleared on success.
  bool read(const std::string &data, const std::vector<InputSpec> &inputs,
            CalibrationOptions options = {}) {
    samples.clear();
    error.clear();
    return readCalibrationData(data, inputs, options, samples, error);
  }
  /// Reads DATA, expecting an error containing every one of `parts`.
  void expectError(const std::string &data,
                   const std::vector<InputSpec> &inputs,
                   std::initializer_list<std::string> parts,
                   CalibrationOptions options = {}) {
    EXPECT_FALSE(read(data, inputs, options)) << "read " << data;
    for (const std::string &part : parts)
      EXPECT_NE(error.find(part), std::string::npos)
          << "expected '" << part << "' in: " << error;
    EXPECT_TRUE(samples.empty());
  }

  std::string dir;
  std::vector<CalibrationSample> samples;
  std::string error;
};

const std::vector<InputSpec> kOneInput = {{"x", {1, 3}}};
const std::vector<InputSpec> kTwoInputs = {{"a", {1, 3}}, {"b", {2, 2}}};

//===----------------------------------------------------------------------===//
// TensorProto
//===----------------------------------------------------------------------===//

TEST_F(CalibrationDataTest, TensorProtoFoldersInNumericOrder) {
  // Sets 0, 1, 2, 10: 10 must come last. Set k holds a = k + {0.5, -1, 2},
  // b = k * {1, 2, 3, 4}; raw_data and float_data alternate.
  for (int k : {10, 2, 0, 1}) {
    std::string set = "data/test_data_set_" + std::to_string(k) + "/";
    float f = k;
    writeTensor(set + "input_0.pb", {1, 3}, {f + 0.5f, f - 1, f + 2}, k % 2);
    writeTensor(set + "input_1.pb", {2, 2}, {f, 2 * f, 3 * f, 4 * f}, !(k % 2));
    writeTensor(set + "output_0.pb", {1}, {42}); // ignored
  }
  write("data/model.onnx", "ignored");
  ASSERT_TRUE(read(dir + "/data", kTwoInputs)) << error;
  ASSERT_EQ(samples.size(), 4u);
  int order[] = {0, 1, 2, 10};
  for (int i = 0; i < 4; ++i) {
    float f = order[i];
    EXPECT_EQ(samples[i].origin,
              dir + "/data/test_data_set_" + std::to_string(order[i]));
    ASSERT_EQ(samples[i].inputs.size(), 2u);
    EXPECT_EQ(samples[i].inputs[0],
              std::vector<float>({f + 0.5f, f - 1, f + 2}));
    EXPECT_EQ(samples[i].inputs[1],
              std::vector<float>({f, 2 * f, 3 * f, 4 * f}));
  }

  // maxSamples keeps the first ones.
  ASSERT_TRUE(read(dir + "/data", kTwoInputs, {0, 3})) << error;
  ASSERT_EQ(samples.size(), 3u);
  EXPECT_EQ(samples[2].inputs[0][0], 2.5f);

  // One test_data_set folder on its own is one sample.
  ASSERT_TRUE(read(dir + "/data/test_data_set_2", kTwoInputs)) << error;
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].inputs[1][3], 8.0f);
}

TEST_F(CalibrationDataTest, SinglePbFile) {
  float tiny = std::numeric_limits<float>::denorm_min();
  std::string pb = writeTensor("x.pb", {1, 3}, {tiny, -0.0f, 3.0e38f});
  ASSERT_TRUE(read(pb, kOneInput)) << error;
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].inputs[0], std::vector<float>({tiny, -0.0f, 3.0e38f}));
  EXPECT_TRUE(std::signbit(samples[0].inputs[0][1]));
  EXPECT_EQ(samples[0].origin, pb);

  expectError(pb, kTwoInputs, {pb, "the model has 2 inputs"});
}

TEST_F(CalibrationDataTest, TensorProtoErrors) {
  // input_1.pb missing.
  writeTensor("missing/test_data_set_0/input_0.pb", {1, 3}, {1, 2, 3});
  writeTensor("missing/test_data_set_0/input_1.pb", {2, 2}, {1, 2, 3, 4});
  writeTensor("missing/test_data_set_1/input_0.pb", {1, 3}, {1, 2, 3});
  expectError(dir + "/missing", kTwoInputs,
              {dir + "/missing/test_data_set_1: missing input_1.pb",
               "model input 'b' [2x2]"});

  // A shape that differs: both shapes are named.
  std::string pb = writeTensor("shape/input_0.pb", {1, 4}, {1, 2, 3, 4});
  expectError(dir + "/shape", kOneInput,
              {pb + ": shape [1x4] does not match model input 'x' [1x3]"});
  // No leading batch dim either: strict.
  pb = writeTensor("nobatch.pb", {3}, {1, 2, 3});
  expectError(pb, kOneInput, {pb, "shape [3] does not match", "[1x3]"});

  // Not float32.
  pb = writeTensor("half.pb", {1, 3}, {}, true, onnx::TensorProto::FLOAT16);
  expectError(pb, kOneInput, {pb + ": element type FLOAT16", "float32"});

  // More files than inputs.
  writeTensor("extra/input_0.pb", {1, 3}, {1, 2, 3});
  pb = writeTensor("extra/input_1.pb", {1, 3}, {1, 2, 3});
  expectError(dir + "/extra", kOneInput, {pb, "the model has only 1 input"});

  // Too few values, raw and not.
  pb = writeTensor("short_raw.pb", {1, 3}, {1, 2}, true);
  expectError(pb, kOneInput, {pb, "8 bytes", "needs 12"});
  pb = writeTensor("short.pb", {1, 3}, {1, 2}, false);
  expectError(pb, kOneInput, {pb, "2 values", "needs 3"});

  // NaN and infinity, with the element's index.
  pb = writeTensor("nan.pb", {1, 3}, {1, NAN, 3});
  expectError(pb, kOneInput, {pb + ": element [0, 1] is NaN"});
  pb = writeTensor("inf.pb", {1, 3}, {1, 2, -INFINITY}, false);
  expectError(pb, kOneInput, {pb + ": element [0, 2] is infinite"});

  // Inputs swapped: the tensor names another input.
  writeTensor("swapped/input_0.pb", {1, 3}, {1, 2, 3}, true,
              onnx::TensorProto::FLOAT, "b");
  writeTensor("swapped/input_1.pb", {1, 3}, {1, 2, 3});
  expectError(dir + "/swapped", {{"a", {1, 3}}, {"b", {1, 3}}},
              {"swapped/input_0.pb: holds tensor 'b', which is model input 1"});

  // Unreadable and not a TensorProto.
  pb = write("garbage.pb", "\xff\xff\xff\xff");
  expectError(pb, kOneInput, {pb});
}

//===----------------------------------------------------------------------===//
// .npy
//===----------------------------------------------------------------------===//

TEST_F(CalibrationDataTest, NpyShapesAndVersions) {
  std::vector<float> six = {-1.5f, 0.1f, 3e-39f, 65504.0f, -7.0f, 1e30f};
  // [N, 1, 3]: N samples.
  std::string p = write("batch.npy", npy("<f4", {2, 1, 3}, bytesOf(six)));
  ASSERT_TRUE(read(p, kOneInput)) << error;
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[0].inputs[0],
            std::vector<float>(six.begin(), six.begin() + 3));
  EXPECT_EQ(samples[1].inputs[0],
            std::vector<float>(six.begin() + 3, six.end()));
  EXPECT_EQ(samples[1].origin, p + " sample 1");

  // [N, 3] for an input [1, 3]: the batch dim holds the samples.
  p = write("rows.npy", npy("<f4", {2, 3}, bytesOf(six)));
  ASSERT_TRUE(read(p, kOneInput)) << error;
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[1].inputs[0][2], 1e30f);

  // Exactly the input's shape: one sample; versions 2.0 and 3.0.
  for (int major : {1, 2, 3}) {
    p = write("one" + std::to_string(major) + ".npy",
              npy("<f4", {1, 3},
                  bytesOf(std::vector<float>(six.begin(), six.begin() + 3)),
                  false, major));
    ASSERT_TRUE(read(p, kOneInput)) << error;
    ASSERT_EQ(samples.size(), 1u);
    EXPECT_EQ(samples[0].inputs[0][1], 0.1f);
    EXPECT_EQ(samples[0].origin, p);
  }

  // A scalar-free 1-D input.
  p = write("vec.npy", npy("<f4", {3}, bytesOf(std::vector<float>{1, 2, 3})));
  ASSERT_TRUE(read(p, {{"v", {3}}})) << error;
  ASSERT_EQ(samples.size(), 1u);
}

TEST_F(CalibrationDataTest, NpyConvertsDtypes) {
  std::vector<float> want = {-3, 0, 1000};
  struct Case {
    const char *descr;
    std::string data;
  } cases[] = {
      {"<f8", bytesOf(std::vector<double>{-3, 0, 1000})},
      {"<i2", bytesOf(std::vector<int16_t>{-3, 0, 1000})},
      {"<u2", bytesOf(std::vector<uint16_t>{0, 0, 1000})},
      {"<i4", bytesOf(std::vector<int32_t>{-3, 0, 1000})},
      {"<i8", bytesOf(std::vector<int64_t>{-3, 0, 1000})},
      {"|i1", bytesOf(std::vector<int8_t>{-3, 0, 100})},
      {"|u1", bytesOf(std::vector<uint8_t>{0, 0, 255})},
  };
  for (const Case &c : cases) {
    std::string p = write("d.npy", npy(c.descr, {1, 3}, c.data));
    ASSERT_TRUE(read(p, kOneInput)) << c.descr << ": " << error;
    std::vector<float> expect = want;
    if (c.descr[1] == 'u')
      expect[0] = 0;
    if (StringRef(c.descr).ends_with("1"))
      expect[2] = c.descr[1] == 'u' ? 255 : 100;
    EXPECT_EQ(samples[0].inputs[0], expect) << c.descr;
  }
  // f8 values that are exact floats stay exact.
  std::string p = write(
      "exact.npy",
      npy("<f8", {1, 3}, bytesOf(std::vector<double>{0.1f, -2.75, 1e-40f})));
  ASSERT_TRUE(read(p, kOneInput)) << error;
  EXPECT_EQ(samples[0].inputs[0], std::vector<float>({0.1f, -2.75f, 1e-40f}));
}

TEST_F(CalibrationDataTest, NpyErrors) {
  std::string three = bytesOf(std::vector<float>{1, 2, 3});
  std::string p = write("fortran.npy", npy("<f4", {1, 3}, three, true));
  expectError(p, kOneInput, {p + ": the array is in Fortran order"});

  p = write("half.npy", npy("<f2", {1, 3}, std::string(6, '\0')));
  expectError(p, kOneInput, {p + ": dtype '<f2' is not supported"});
  p = write("big.npy", npy(">f4", {1, 3}, three));
  expectError(p, kOneInput, {p + ": dtype '>f4' is not supported"});

  p = write("shape.npy", npy("<f4", {3, 1}, three));
  expectError(p, kOneInput,
              {p + ": shape [3x1] does not match model input 'x' [1x3]"});
  p = write("flat.npy", npy("<f4", {3}, three));
  expectError(p, kOneInput, {p + ": shape [3] does not match"});
  p = write("zero.npy", npy("<f4", {0, 1, 3}, ""));
  expectError(p, kOneInput, {p + ": the array holds no samples"});

  p = write("nan.npy", npy("<f4", {2, 1, 3},
                           bytesOf(std::vector<float>{1, 2, 3, 4, 5, NAN})));
  expectError(p, kOneInput, {p + ": element [1, 0, 2] is NaN"});
  p = write("inf.npy",
            npy("<f8", {1, 3}, bytesOf(std::vector<double>{1, INFINITY, 3})));
  expectError(p, kOneInput, {p + ": element [0, 1] is infinite"});
  p = write("range.npy",
            npy("<f8", {1, 3}, bytesOf(std::vector<double>{1, 1e300, 3})));
  expectError(p, kOneInput, {p + ": element [0, 1]", "out of float32 range"});

  p = write("truncated.npy", npy("<f4", {1, 3}, three.substr(0, 8)));
  expectError(p, kOneInput, {p + ": the data holds 8 bytes", "needs 12"});
  p = write("empty.npy", "");
  expectError(p, kOneInput, {p + ": the file is empty"});
  p = write("magic.npy", "not numpy at all");
  expectError(p, kOneInput, {p + ": not a .npy file"});
  std::string v4 = npy("<f4", {1, 3}, three);
  v4[6] = 4;
  p = write("v4.npy", v4);
  expectError(p, kOneInput, {p + ": .npy format version 4.0 is not supported"});
  p = write("header.npy", npy("<f4", {1, 3}, three).replace(20, 5, "?????"));
  expectError(p, kOneInput, {p + ": malformed .npy header"});
  std::string structured = "{'descr': [('a', '<f4')], 'fortran_order': "
                           "False, 'shape': (1,), }\n";
  std::string file = "\x93NUMPY\x01";
  file += '\0';
  put16(file, structured.size());
  p = write("struct.npy", file + structured);
  expectError(p, kOneInput, {p + ": structured dtypes are not supported"});

  p = write("two.npy", npy("<f4", {1, 3}, three));
  expectError(p, kTwoInputs,
              {p + ": a .npy file holds one array", "the model has 2 inputs"});
  expectError(dir + "/none.npy", kOneInput,
              {dir + "/none.npy: no such file or folder"});
}

TEST_F(CalibrationDataTest, FolderOfFilesInNumericOrder) {
  // b_10 after b_2; .csv and .pb join in; other files and folders are
  // ignored.
  for (int k : {10, 2, 1})
    write("mixed/b_" + std::to_string(k) + ".npy",
          npy("<f4", {1, 3}, bytesOf(std::vector<float>{float(k), 0, 0})));
  writeTensor("mixed/c.pb", {1, 3}, {20, 0, 0});
  write("mixed/d.csv", "21,22,23\n");
  write("mixed/README.md", "# not data");
  write("mixed/sub/e.npy", "not read");
  ASSERT_TRUE(read(dir + "/mixed", kOneInput)) << error;
  ASSERT_EQ(samples.size(), 5u);
  std::vector<float> firsts;
  for (const CalibrationSample &s : samples)
    firsts.push_back(s.inputs[0][0]);
  EXPECT_EQ(firsts, std::vector<float>({1, 2, 10, 20, 21}));

  // An error inside names the file.
  write("mixed/b_3.npy", npy("<f4", {1, 4}, std::string(16, '\0')));
  expectError(dir + "/mixed", kOneInput, {dir + "/mixed/b_3.npy: shape [1x4]"});

  write("nothing/README.md", "# not data");
  expectError(dir + "/nothing", kOneInput,
              {dir + "/nothing: the folder holds no calibration data"});
  std::string p = write("x.txt", "1,2,3\n");
  expectError(p, kOneInput, {p + ": unknown calibration data format"});
}

//===----------------------------------------------------------------------===//
// .npz
//===----------------------------------------------------------------------===//

TEST_F(CalibrationDataTest, NpzFixturesFromNumpyLayout) {
  std::vector<InputSpec> inputs = {{"x", {1, 3}}, {"y", {1, 2}}};
  for (const char *name : {"stored.npz", "compressed.npz"}) {
    std::string p = fixtureDir() + "/" + name;
    if (StringRef(name) == "compressed.npz" && !calibrationSupportsDeflate()) {
      expectError(p, inputs, {p + ": member x.npy is compressed", "zlib"});
      continue;
    }
    ASSERT_TRUE(read(p, inputs)) << error;
    ASSERT_EQ(samples.size(), 2u);
    EXPECT_EQ(samples[0].inputs[0], std::vector<float>({-1, 0.5f, 3.25f}));
    EXPECT_EQ(samples[0].inputs[1], std::vector<float>({1.5f, -0.25f}));
    EXPECT_EQ(samples[1].inputs[0], std::vector<float>({0.125f, -2.5e6f, 7}));
    EXPECT_EQ(samples[1].inputs[1], std::vector<float>({1024, 3}));
    EXPECT_EQ(samples[1].origin, p + " sample 1");
  }
}

TEST_F(CalibrationDataTest, NpzMembers) {
  std::string a =
      npy("<f4", {2, 1, 3}, bytesOf(std::vector<float>{1, 2, 3, 4, 5, 6}));
  std::string b = npy("<i4", {2, 2, 2},
                      bytesOf(std::vector<int32_t>{1, 2, 3, 4, 5, 6, 7, 8}));

  // By input name, members in any order; a label array is ignored.
  std::string p =
      write("named.npz", zip({{"labels.npy", a}, {"b.npy", b}, {"a.npy", a}}));
  ASSERT_TRUE(read(p, kTwoInputs)) << error;
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[1].inputs[0], std::vector<float>({4, 5, 6}));
  EXPECT_EQ(samples[1].inputs[1], std::vector<float>({5, 6, 7, 8}));

  // arr_0, arr_1 (positional np.savez), deflated.
  p = write("positional.npz", zip({{"arr_0.npy", a, 8}, {"arr_1.npy", b, 8}}));
  if (calibrationSupportsDeflate()) {
    ASSERT_TRUE(read(p, kTwoInputs)) << error;
    EXPECT_EQ(samples[0].inputs[1], std::vector<float>({1, 2, 3, 4}));
  }
  p = write("positional_stored.npz", zip({{"arr_0.npy", a}, {"arr_1.npy", b}}));
  ASSERT_TRUE(read(p, kTwoInputs)) << error;
  EXPECT_EQ(samples[0].inputs[0], std::vector<float>({1, 2, 3}));

  // One input, one member of any name.
  p = write("single.npz", zip({{"data.npy", a}}));
  ASSERT_TRUE(read(p, kOneInput)) << error;
  EXPECT_EQ(samples.size(), 2u);

  // A larger deflated member spans several deflate blocks.
  std::vector<float> many(40000);
  for (size_t i = 0; i < many.size(); ++i)
    many[i] = float(i) * 0.25f;
  p = write("big.npz",
            zip({{"x.npy", npy("<f4", {20000, 2}, bytesOf(many)), 8}}));
  if (calibrationSupportsDeflate()) {
    ASSERT_TRUE(read(p, {{"x", {1, 2}}}, {0, 0})) << error;
    ASSERT_EQ(samples.size(), 20000u);
    EXPECT_EQ(samples[19999].inputs[0],
              std::vector<float>({19999 * 0.5f, 19999 * 0.5f + 0.25f}));
  }
}

TEST_F(CalibrationDataTest, NpzErrors) {
  std::string a =
      npy("<f4", {2, 1, 3}, bytesOf(std::vector<float>{1, 2, 3, 4, 5, 6}));
  std::string b1 = npy("<f4", {2, 2}, bytesOf(std::vector<float>{1, 2, 3, 4}));

  std::string p = write("missing.npz", zip({{"a.npy", a}, {"c.npy", a}}));
  expectError(p, kTwoInputs,
              {p + ": no member for model input 'b' [2x2]",
               "looked for b.npy and arr_1.npy", "holds a.npy, c.npy"});

  p = write("counts.npz", zip({{"a.npy", a}, {"b.npy", b1}}));
  expectError(p, kTwoInputs,
              {p + ": member b.npy holds 1 sample but a.npy holds 2"});

  std::string bad =
      npy("<f4", {1, 3}, bytesOf(std::vector<float>{1, 2, 3}), true);
  p = write("fortran.npz", zip({{"a.npy", a}, {"b.npy", bad}}));
  expectError(p, kTwoInputs,
              {p + ", member b.npy: the array is in Fortran order"});

  p = write("shape.npz", zip({{"a.npy", a}, {"b.npy", a}}));
  expectError(
      p, kTwoInputs,
      {p +
       ", member b.npy: shape [2x1x3] does not match model input 'b' [2x2]"});

  std::string nan = npy("<f4", {1, 3}, bytesOf(std::vector<float>{1, NAN, 3}));
  p = write("nan.npz", zip({{"x.npy", nan}}));
  expectError(p, kOneInput, {p + ", member x.npy: element [0, 1] is NaN"});

  std::string corrupt = zip({{"x.npy", a}});
  corrupt[40 + 5] ^= 1; // a byte inside the member's header
  p = write("crc.npz", corrupt);
  expectError(p, kOneInput, {p + ": member x.npy is corrupt (CRC mismatch)"});

  p = write("bzip2.npz", zip({{"x.npy", a, 12}}));
  expectError(p, kOneInput,
              {p + ": member x.npy uses zip compression method 12"});

  p = write("notzip.npz",
            "PK but not really a zip archive, long enough to search");
  expectError(p, kOneInput, {p + ": not a zip archive"});
  std::string cut = zip({{"x.npy", a}});
  p = write("cut.npz", cut.substr(0, 30) + cut.substr(cut.size() - 22));
  expectError(p, kOneInput, {p + ": not a valid zip archive"});
  p = write("empty.npz", "");
  expectError(p, kOneInput, {p + ": the file is empty"});
}

//===----------------------------------------------------------------------===//
// CSV
//===----------------------------------------------------------------------===//

/// Rows "r.0,r.1,r.2" for r = 0 ... n-1 (channel c of row r is r + c/10).
std::string csvRows(int n, int channels = 3) {
  std::string s;
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < channels; ++c)
      s += std::to_string(r) + "." + std::to_string(c) +
           (c + 1 < channels ? "," : "\n");
  return s;
}
float cell(int r, int c) {
  return std::stof(std::to_string(r) + "." + std::to_string(c));
}

TEST_F(CalibrationDataTest, CsvChannelsFirstWithHeader) {
  std::string p = write("log.csv", "acc_x,acc_y,acc_z\n" + csvRows(10));
  std::vector<InputSpec> input = {{"x", {1, 3, 4}}}; // [1, C, T]
  ASSERT_TRUE(read(p, input)) << error;
  ASSERT_EQ(samples.size(), 2u); // rows 0-3, 4-7; 8-9 unused
  EXPECT_EQ(samples[0].origin, p + " lines 2-5");
  EXPECT_EQ(samples[1].origin, p + " lines 6-9");
  for (int w = 0; w < 2; ++w)
    for (int c = 0; c < 3; ++c)
      for (int t = 0; t < 4; ++t)
        EXPECT_EQ(samples[w].inputs[0][c * 4 + t], cell(4 * w + t, c));

  // Overlapping windows with a stride of 2: starts 0, 2, 4, 6.
  ASSERT_TRUE(read(p, input, {2, 0})) << error;
  ASSERT_EQ(samples.size(), 4u);
  EXPECT_EQ(samples[3].origin, p + " lines 8-11");
  EXPECT_EQ(samples[3].inputs[0][0], cell(6, 0));
  ASSERT_TRUE(read(p, input, {1, 5})) << error;
  EXPECT_EQ(samples.size(), 5u);
}

TEST_F(CalibrationDataTest, CsvLayouts) {
  std::string p = write("log.csv", csvRows(6));
  // [1, T, C] and [T, C]: rows are copied as they are.
  for (std::vector<int64_t> shape : {std::vector<int64_t>{1, 2, 3}, {2, 3}}) {
    ASSERT_TRUE(read(p, {{"x", shape}})) << error;
    ASSERT_EQ(samples.size(), 3u);
    for (int t = 0; t < 2; ++t)
      for (int c = 0; c < 3; ++c)
        EXPECT_EQ(samples[2].inputs[0][t * 3 + c], cell(4 + t, c));
  }
  // C == T: channels first.
  ASSERT_TRUE(read(p, {{"x", {1, 3, 3}}})) << error;
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[0].inputs[0][1], cell(1, 0));
  EXPECT_EQ(samples[0].inputs[0][3], cell(0, 1));
  // One channel.
  p = write("one.csv", csvRows(4, 1));
  ASSERT_TRUE(read(p, {{"x", {1, 1, 2}}})) << error;
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[1].inputs[0], std::vector<float>({cell(2, 0), cell(3, 0)}));
}

TEST_F(CalibrationDataTest, CsvSkipsCommentsAndBlankLines) {
  std::string p = write("log.csv", "\xEF\xBB\xBF# recorded 2024\r\n"
                                   "\"t\", \"u\" ,v\r\n"
                                   "\r\n"
                                   "1e-3, +2.5 ,-3\r\n"
                                   "   # a comment\r\n"
                                   "\"4\",5E2,.5\r\n"
                                   "1e-45,-0,7.");
  ASSERT_TRUE(read(p, {{"x", {1, 3, 3}}})) << error;
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].origin, p + " lines 4-7");
  EXPECT_EQ(
      samples[0].inputs[0],
      std::vector<float>({1e-3f, 4, 1e-45f, 2.5f, 500, -0.0f, -3, 0.5f, 7}));
}

TEST_F(CalibrationDataTest, CsvErrors) {
  std::vector<InputSpec> input = {{"x", {1, 3, 4}}};
  // Row 7 (line 7 with no header) has a fourth column.
  std::string rows = csvRows(10);
  size_t line7 = 0;
  for (int i = 0; i < 6; ++i)
    line7 = rows.find('\n', line7) + 1;
  std::string p =
      write("cols.csv", std::string(rows).insert(rows.find('\n', line7), ",9"));
  expectError(
      p, input,
      {p + ":7: row has 4 columns, expected 3", "model input 'x' [1x3x4]"});
  // Too few columns, after a header.
  p = write("few.csv", "a,b,c\n1,2,3\n1,2\n");
  expectError(p, input, {p + ":3: row has 2 columns, expected 3"});

  p = write("nan.csv", "a,b,c\n1,2,3\n4,nan,6\n");
  expectError(p, input,
              {p + ":3:2: 'nan' is not a finite number in column 'b'"});
  p = write("inf.csv", "1,2,3\n4,5,-inf\n");
  expectError(p, input, {p + ":2:3: '-inf' is not a finite number"});
  p = write("emptycell.csv", "1,2,3\n4,,6\n");
  expectError(p, input, {p + ":2:2: empty cell"});
  p = write("bad.csv", "1,2,3\n# note\n\n4,5,1.2.3\n");
  expectError(p, input, {p + ":4:3: '1.2.3' is not a number"});
  p = write("plusminus.csv", "1,2,+-3\n");
  expectError(p, input, {p + ":1:3: '+-3' is not a number"});
  p = write("range.csv", "1,2,1e40\n");
  expectError(p, input, {p + ":1:3: '1e40' is out of float32 range"});
  // A first row mixing text and numbers is data, not a header.
  p = write("mixed.csv", "1,abc,3\n" + csvRows(4));
  expectError(p, input, {p + ":1:2: 'abc' is not a number"});

  p = write("empty.csv", "");
  expectError(p, input, {p + ": the file is empty"});
  p = write("comments.csv", "# nothing\n\n");
  expectError(p, input, {p + ": no data rows"});
  p = write("header.csv", "# log\nacc_x,acc_y,acc_z\n");
  expectError(p, input, {p + ": only a header row (line 2), no data rows"});
  p = write("short.csv", csvRows(3));
  expectError(p, input,
              {p + ": 3 data rows, fewer than the 4 time steps",
               "model input 'x' [1x3x4]"});
  p = write("layout.csv", "t,a,b,c\n" + csvRows(4, 4));
  expectError(p, {{"x", {1, 3, 5}}},
              {p + ":1: row has 4 columns", "3 ([1xCxT]) or 5 ([1xTxC])"});
  expectError(p, {{"x", {4, 3}}}, {p + ":1: row has 4 columns", "3 ([TxC])"});

  p = write("ok.csv", csvRows(4));
  expectError(
      p, {{"x", {1, 1, 3, 4}}},
      {p + ": CSV data needs a model input of shape [1xCxT]", "[1x1x3x4]"});
  expectError(p, kTwoInputs, {p + ": a CSV log feeds one input"});
  expectError(p, input, {"stride must be positive, got -1"}, {-1, 0});
}

TEST_F(CalibrationDataTest, BadModelInputs) {
  std::string p = write("ok.csv", csvRows(4));
  expectError(p, {}, {"the model has no inputs"});
  expectError(p, {{"x", {-1, 3}}}, {"model input 'x' has shape [-1x3]"});
}

} // namespace
