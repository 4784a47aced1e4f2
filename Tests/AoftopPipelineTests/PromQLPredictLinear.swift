/// What `predict_linear(process_open_fds[10m], 3600) > process_max_fds` with `for: 10m` would have said on a
/// series of fd counts: Prometheus's `predict_linear` is an ordinary least-squares line through the window's
/// samples, evaluated `3600` s after the evaluation time.
struct PromQLPredictLinear {
    static let rangeMs: Int64 = 600_000
    static let horizonS = 3600.0
    static let forMs: Int64 = 600_000

    /// `(time ms, value)` samples, oldest first.
    var samples: [(Int64, Double)]
    var maxFds: Double

    /// The predicted value at `t + 3600 s`, from the samples in `(t − 10 m, t]`; nil with fewer than two.
    func predicted(at t: Int64) -> Double? {
        let window = samples.filter { $0.0 > t - Self.rangeMs && $0.0 <= t }
        guard window.count >= 2 else { return nil }
        let n = Double(window.count)
        let xs = window.map { Double($0.0 - t) / 1000 }
        let ys = window.map(\.1)
        let meanX = xs.reduce(0, +) / n, meanY = ys.reduce(0, +) / n
        var covariance = 0.0, variance = 0.0
        for (x, y) in zip(xs, ys) {
            covariance += (x - meanX) * (y - meanY)
            variance += (x - meanX) * (x - meanX)
        }
        guard variance > 0 else { return meanY }
        let slope = covariance / variance
        let intercept = meanY - slope * meanX
        return intercept + slope * Self.horizonS
    }

    /// The first sample time at which the expression is true (the alert turns `pending`).
    var firstTrue: Int64? {
        samples.first { (predicted(at: $0.0) ?? 0) > maxFds }?.0
    }

    /// When the alert would fire: the expression must hold at every evaluation for 10 minutes. Nil when the
    /// series ends before that (the usual case here: the whole incident lasts seconds).
    var firing: Int64? {
        guard let first = firstTrue, let last = samples.last?.0, last - first >= Self.forMs else { return nil }
        let holds = samples.filter { $0.0 >= first && $0.0 <= first + Self.forMs }.allSatisfy { (predicted(at: $0.0) ?? 0) > maxFds }
        return holds ? first + Self.forMs : nil
    }
}
