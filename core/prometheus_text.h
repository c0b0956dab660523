// Metrics in Prometheus' text exposition format, as node_exporter's textfile collector reads
// them: gauge families (HELP and TYPE lines, then samples) with escaped label values. usage, gc
// and audit each describe their run with it.
#ifndef REGSWEEP_CORE_PROMETHEUS_TEXT_H_
#define REGSWEEP_CORE_PROMETHEUS_TEXT_H_

#include <cstdint>
#include <string>

namespace regsweep {

class PrometheusText {
 public:
  // Starts a gauge family; its samples follow.
  void Family(const char* name, const char* help);
  // `labels` as PrometheusLabel makes them, joined with ","; empty for none.
  void Sample(const std::string& name, const std::string& labels, const std::string& value);
  void Sample(const std::string& name, const std::string& labels, uint64_t value);
  void Sample(const std::string& name, const std::string& labels, double value);
  const std::string& str() const { return out_; }

 private:
  std::string out_;
};

// key="value", the value escaped (backslash, double quote, newline).
std::string PrometheusLabel(const char* key, const std::string& value);

}  // namespace regsweep

#endif  // REGSWEEP_CORE_PROMETHEUS_TEXT_H_
