/// A count that rises and stays up — the shape of a connection leak — told apart from a pool's churn (which goes
/// down as often as up) and from a short ramp (too little history). The one detector behind the forecast against
/// maxclients and the client-leak finding; each brings its own series and thresholds.
struct SustainedRise {
    /// Milliseconds and values, oldest first.
    let samples: [(ms: Int64, value: Double)]
    let spanMs: Int64
    /// Theil–Sen, per second.
    let slope: Double
    /// Last value minus first.
    let rise: Double

    static let minSamples = 3

    /// `nil` when the samples span less than `minSpanMs` (or are too few): not enough history to judge.
    init?(_ samples: [(ms: Int64, value: Double)], minSpanMs: Int64) {
        guard samples.count >= Self.minSamples, let first = samples.first, let last = samples.last,
              last.ms - first.ms >= minSpanMs,
              let slope = TheilSen.slope(times: samples.map(\.ms), values: samples.map(\.value)) else { return nil }
        self.samples = samples
        spanMs = last.ms - first.ms
        self.slope = slope
        rise = last.value - first.value
    }

    /// Rising at least `minSlope` per second and by `minRise` in all, with at most a quarter of the steps down.
    func isRising(minRise: Double, minSlope: Double) -> Bool {
        let falls = zip(samples, samples.dropFirst()).filter { $1.value < $0.value }.count
        return slope >= minSlope && rise >= minRise && falls * 4 <= samples.count
    }
}
