#pragma once
// Seconds per stage of a job, for --timings.
#include <chrono>

namespace ruimte {

class Stopwatch {
  public:
    // Seconds since the last lap (or since construction).
    double lap() {
        const auto now = std::chrono::steady_clock::now();
        const double s = std::chrono::duration<double>(now - last_).count();
        last_ = now;
        return s;
    }

  private:
    std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

}  // namespace ruimte
