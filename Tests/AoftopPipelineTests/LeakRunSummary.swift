import AoftopAnalysis
import Foundation

/// The numbers of one leak run, relative to the first failed fork, printed for docs/benchmarks.md.
struct LeakRunSummary {
    struct EtaCheck {
        var point: LeakDetectionTests.Point
        /// Seconds after onset of the sample used.
        var offsetS: Double
        /// Seconds from that sample to the first refused burst.
        var truthS: Double
        var errorPercent: Double? {
            point.assessment.eta.seconds.map { ((($0 - truthS) / truthS) * 1000).rounded() / 10 }
        }
    }

    var onset: Int64
    var refusedMs: Int64
    var answered: Int
    var flagged: LeakDetectionTests.Point
    var points: [LeakDetectionTests.Point]
    var rlimit: Int

    /// The first sample at or after `onset + seconds`, with the truth seen from it; nil after the refusal.
    func etaCheck(afterS seconds: Double) -> EtaCheck? {
        guard let point = points.first(where: { Double($0.time - onset) / 1000 >= seconds }), point.time < refusedMs else {
            return nil
        }
        return EtaCheck(point: point, offsetS: Double(point.time - onset) / 1000, truthS: Double(refusedMs - point.time) / 1000)
    }

    var report: String {
        var lines = ["LEAK-DETECTION: onset (first failed fork) at \(onset) ms",
                     "LEAK-DETECTION: first refused burst +\(seconds(refusedMs)) s (\(answered)/5 answered)",
                     "LEAK-DETECTION: leak flagged +\(seconds(flagged.time)) s (\(flagged.assessment.leak.signature ?? ""))"]
        for offset in [5.0, 10.0] {
            guard let check = etaCheck(afterS: offset) else {
                lines.append("LEAK-DETECTION: ETA at +\(Int(offset)) s: no sample before the refusal")
                continue
            }
            let eta = check.point.assessment.eta
            lines.append("LEAK-DETECTION: ETA at +\(check.offsetS) s: \(eta.status.rawValue) \(eta.seconds.map { "\($0)" } ?? "nil") s "
                         + "(slope \(eta.slopePerS.map { "\($0)" } ?? "nil")/s, \(eta.window?.rawValue ?? "-")), truth \(check.truthS) s, "
                         + "error \(check.errorPercent.map { "\($0)" } ?? "nil") %, fds \(check.point.total ?? -1)")
        }
        let series = points.compactMap { point in point.total.map { (point.time, Double($0)) } }
        let promql = PromQLPredictLinear(samples: series, maxFds: Double(rlimit))
        let firstTrue = promql.firstTrue.map { "+\(seconds($0)) s" } ?? "never"
        let atRefusal = promql.predicted(at: series.last { $0.0 <= refusedMs }?.0 ?? refusedMs).map { Int($0) } ?? -1
        lines.append("LEAK-DETECTION: predict_linear(fds[10m], 3600) > \(rlimit): first true \(firstTrue), "
                     + "predicted at refusal \(atRefusal), fires (for: 10m) \(promql.firing.map { "+\(seconds($0)) s" } ?? "never within the run")")
        let etaSeries = points.filter { $0.time >= onset }.map {
            "+\(seconds($0.time)):\($0.total ?? -1)/\($0.lowestFree ?? -1):\($0.assessment.eta.status.rawValue)"
                + "\($0.assessment.eta.seconds.map { "=\($0)" } ?? "")\($0.assessment.leak.suspected ? "!" : "")"
        }
        lines.append("LEAK-DETECTION: series (offset s: fds/lowest free: eta, ! = suspected): " + etaSeries.joined(separator: " "))
        return lines.joined(separator: "\n")
    }

    private func seconds(_ time: Int64) -> Double { Double(time - onset) / 1000 }
}
