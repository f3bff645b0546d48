//===- RealPendulum.cpp - the measured pendulum dataset ----------------===//
//
// Part of dgc. The real pendulum dataset of experiments.md section 7: the
// measurements in data/real_pend_h_1.txt (a copy of
// shared/data/real_pend_h_1.txt), found beside an installed dgc_dataset.
//
//===----------------------------------------------------------------------===//
#include "Dataset.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace dgc::dataset {

namespace {

std::string findRealPendulumFile(const Options &o) {
  if (!o.dataFile.empty())
    return o.dataFile;
  if (const char *e = std::getenv("DGC_DATA_DIR"))
    return (fs::path(e) / "real_pend_h_1.txt").string();
  // Installed: PREFIX/libexec/dgc/dgc_dataset and PREFIX/share/dgc/data.
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  fs::path installed =
      self.parent_path() / "../../share/dgc/data/real_pend_h_1.txt";
  if (!ec && fs::exists(installed, ec))
    return installed.lexically_normal().string();
  return DGC_REAL_PENDULUM_FILE;
}

} // namespace

void realPendulum(Dataset &ds, const Options &o) {
  std::string path = findRealPendulumFile(o);
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw DatasetError("cannot read the real pendulum data '" + path +
                       "' (set DGC_DATA_DIR or pass --data)");
  std::vector<double> tt, th, om;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    size_t i = line.find_first_not_of(" \t");
    if (i == std::string::npos || line[i] == '%')
      continue;
    std::istringstream ls(line);
    double trial, t, q, v;
    if (!(ls >> trial >> t >> q >> v))
      throw DatasetError(path + ": malformed row '" + line + "'");
    tt.push_back(t);
    th.push_back(q);
    om.push_back(v);
  }
  const int64_t rows = static_cast<int64_t>(tt.size());
  if (rows != 556)
    throw DatasetError(path + ": expected 556 data rows, found " +
                       std::to_string(rows));
  const int64_t n = rows - 1; // 555 states with a forward difference
  std::vector<double> x(n * 2), dx(n * 2);
  for (int64_t i = 0; i < n; ++i) {
    double h = tt[i + 1] - tt[i];
    x[i * 2] = th[i];
    x[i * 2 + 1] = om[i];
    dx[i * 2] = (th[i + 1] - th[i]) / h;
    dx[i * 2 + 1] = (om[i + 1] - om[i]) / h;
  }
  // HNN: a = int(555 * 0.8) = 444, b = a + int(555 * (1 - 0.8)) = 554 in
  // Python floats (555 * 0.2 = 110.99999999999997).
  const double split = 0.8;
  const int64_t a = static_cast<int64_t>(double(n) * split);
  const int64_t b = a + static_cast<int64_t>(double(n) * (1 - split));
  std::vector<int64_t> trainRows, testRows;
  for (int64_t i = 0; i < a; ++i)
    trainRows.push_back(i);
  for (int64_t i = b; i < n; ++i)
    trainRows.push_back(i);
  for (int64_t i = a; i < b; ++i)
    testRows.push_back(i);
  const int64_t nTr = trainRows.size(), nTe = testRows.size();
  auto gather = [&](const std::vector<int64_t> &idx, const std::vector<double> &src,
                    Array &dst) {
    for (size_t k = 0; k < idx.size(); ++k)
      for (int c = 0; c < 2; ++c)
        dst.data[k * 2 + c] = src[idx[k] * 2 + c];
  };
  auto href = [](double q, double p) { return 2.4 * (1 - std::cos(q)) + p * p; };

  Array &raw = ds.add("raw", {rows, 3}, "the file's rows (t, theta, omega)");
  for (int64_t i = 0; i < rows; ++i) {
    raw.data[i * 3] = tt[i];
    raw.data[i * 3 + 1] = th[i];
    raw.data[i * 3 + 2] = om[i];
  }
  Array &trX = ds.add("train_x", {nTr, 2}, "rows 0..443 then row 554: (q, p) = (theta, omega)");
  Array &trD = ds.add("train_dx", {nTr, 2}, "(x_{i+1} - x_i) / (t_{i+1} - t_i) for each train row");
  Array &trT = ds.add("train_t", {nTr}, "time of each train row");
  Array &teX = ds.add("test_x", {nTe, 2}, "rows 444..553");
  Array &teD = ds.add("test_dx", {nTe, 2}, "(x_{i+1} - x_i) / (t_{i+1} - t_i)");
  Array &teT = ds.add("test_t", {nTe}, "time of each test row");
  gather(trainRows, x, trX);
  gather(trainRows, dx, trD);
  gather(testRows, x, teX);
  gather(testRows, dx, teD);
  for (int64_t k = 0; k < nTr; ++k)
    trT.data[k] = tt[trainRows[k]];
  for (int64_t k = 0; k < nTe; ++k)
    teT.data[k] = tt[testRows[k]];
  // Training pairs as the authors form them: (train_x[j], train_x[j+1]) with
  // target train_dx[j], j = 0..443; the last joins rows 443 and 554.
  const int64_t nP = nTr - 1;
  Array &p1 = ds.add("train_pair_x1", {nP, 2}, "train_x[j], j = 0..443");
  Array &p2 = ds.add("train_pair_x2", {nP, 2}, "train_x[j+1] (the last is row 554: quirk 1)");
  Array &pt = ds.add("train_pair_target", {nP, 2}, "train_dx[j] (true gaps: quirk 2)");
  Array &pdt = ds.add("train_pair_dt", {nP}, "t_{i+1} - t_i of the target's own rows (1/6, 1/3 or 1/2)");
  for (int64_t j = 0; j < nP; ++j) {
    for (int c = 0; c < 2; ++c) {
      p1.data[j * 2 + c] = trX.data[j * 2 + c];
      p2.data[j * 2 + c] = trX.data[(j + 1) * 2 + c];
      pt.data[j * 2 + c] = trD.data[j * 2 + c];
    }
    int64_t i = trainRows[j];
    pdt.data[j] = tt[i + 1] - tt[i];
  }
  // Test pairs of the (inferred) Diff metric: (x_i, x_{i+1}), i = 444..553.
  Array &q1 = ds.add("test_pair_x1", {nTe, 2}, "x_i, i = 444..553");
  Array &q2 = ds.add("test_pair_x2", {nTe, 2}, "x_{i+1} (observed next state)");
  for (int64_t k = 0; k < nTe; ++k)
    for (int c = 0; c < 2; ++c) {
      q1.data[k * 2 + c] = x[testRows[k] * 2 + c];
      q2.data[k * 2 + c] = x[(testRows[k] + 1) * 2 + c]; // rows <= 554
    }
  Array &he = ds.add("test_energy_ref", {nTe},
                     "HNN's hand-fitted H_ref = 2.4 (1 - cos q) + p^2 of the "
                     "test states (the energy metric's function)");
  for (int64_t k = 0; k < nTe; ++k)
    he.data[k] = href(teX.data[k * 2], teX.data[k * 2 + 1]);

  int gaps = 0;
  for (int64_t i = 0; i + 1 < rows; ++i)
    if (std::abs((tt[i + 1] - tt[i]) - 1.0 / 6) > 1e-9)
      ++gaps;
  ds.meta["protocol_section"] = "7";
  ds.meta["description"] = "measured pendulum of Schmidt & Lipson (2009), "
                           "real_pend_h_1.txt";
  ds.meta["source_file"] = fs::path(path).lexically_normal().string();
  ds.meta["rows"] = rows;
  ds.meta["states"] = n;
  ds.meta["gaps"] = gaps;
  ds.meta["dt"] = 1.0 / 6;
  ds.meta["split"] = {{"train", nTr},
                      {"test", nTe},
                      {"rule", "HNN's test_split = 0.8 in Python floats: a = "
                               "int(555*0.8) = 444, b = a + int(555*0.2) = "
                               "554; train = rows 0..443 and 554, test = "
                               "rows 444..553"}};
  ds.meta["energy"] = "none defined; test_energy_ref is HNN's H_ref = 2.4 "
                      "(1 - cos q) + p^2";
  ds.meta["integrator"] = "none (measured data)";
  ds.meta["quirks"] = json::array(
      {"quirk 1: the last training pair is (x_443, x_554) while its target "
       "is dx_443 = (x_444 - x_443)/(1/6) (train_pair_*)",
       "quirk 2: at the 10 gap pairs the target uses the true gap of 1/3 or "
       "1/2 (train_pair_dt) while explicit integrators step the model over "
       "dt = 1/6",
       "the last file row (t = 99.5) has no forward difference and is "
       "dropped (555 states)"});
}

} // namespace dgc::dataset
