/// Robust slope estimation: the median of pairwise slopes (Theil–Sen). One outlier sample (a client burst,
/// a rewrite's temporary pipes) moves a least-squares fit but not this median.
enum TheilSen {
    /// At most this many points enter the O(n²) pair loop; longer series are thinned evenly first.
    static let maxPoints = 48

    /// Slope in units per second of `values` over `times` (milliseconds); `nil` with fewer than two distinct times.
    static func slope(times: [Int64], values: [Double]) -> Double? {
        precondition(times.count == values.count)
        let indices = thinnedIndices(count: times.count)
        var slopes: [Double] = []
        slopes.reserveCapacity(indices.count * (indices.count - 1) / 2)
        for a in 0..<indices.count {
            for b in (a + 1)..<max(a + 1, indices.count) {
                let i = indices[a], j = indices[b]
                let dt = Double(times[j] - times[i]) / 1000
                guard dt > 0 else { continue }
                slopes.append((values[j] - values[i]) / dt)
            }
        }
        return median(&slopes)
    }

    static func median(_ values: inout [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        values.sort()
        let mid = values.count / 2
        return values.count % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2
    }

    private static func thinnedIndices(count: Int) -> [Int] {
        guard count > maxPoints else { return Array(0..<count) }
        // Always keep the newest point: it carries the freshest information.
        return (0..<maxPoints).map { $0 * (count - 1) / (maxPoints - 1) }
    }
}
