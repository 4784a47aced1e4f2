import AoftopModel
import Foundation
import Testing
@testable import LogCollector

@Suite struct YearInferenceTests {
    func resolve(_ line: String, reference: String, zone: LogTimeZone = .fixed(offsetSeconds: 0)) -> Timestamp? {
        var parser = LogLineParser(reference: time(reference), zone: zone)
        return parser.parse("1838:M \(line) # Can't save in background: fork: x").time
    }

    @Test func newYear() {
        // Read just after midnight on 1 January: the 31 December line is last year's.
        #expect(resolve("31 Dec 23:59:59.999", reference: "2025-01-01T00:30:00Z") == time("2024-12-31T23:59:59.999Z"))
        #expect(resolve("01 Jan 00:10:00.000", reference: "2025-01-01T00:30:00Z") == time("2025-01-01T00:10:00.000Z"))
        // Read just before midnight (e.g. a stale mtime or clock skew): a 1 January line is next year's.
        #expect(resolve("01 Jan 00:05:00.000", reference: "2024-12-31T23:50:00Z") == time("2025-01-01T00:05:00.000Z"))
        #expect(resolve("31 Dec 23:40:00.000", reference: "2024-12-31T23:50:00Z") == time("2024-12-31T23:40:00.000Z"))
    }

    @Test func oneDayOfSlackThenLastYear() {
        #expect(resolve("16 Jun 12:00:00.000", reference: "2025-06-15T12:00:00Z") == time("2025-06-16T12:00:00Z"))
        #expect(resolve("20 Jun 12:00:00.000", reference: "2025-06-15T12:00:00Z") == time("2024-06-20T12:00:00Z"))
    }

    @Test func leapDayFromANonLeapYear() {
        #expect(resolve("29 Feb 12:00:00.000", reference: "2025-03-01T00:00:00Z") == time("2024-02-29T12:00:00Z"))
    }

    @Test func localZoneOffsetIsApplied() {
        #expect(resolve("31 Dec 23:59:59.000", reference: "2025-01-01T00:30:00Z", zone: .fixed(offsetSeconds: -5 * 3600))
                == time("2025-01-01T04:59:59Z"))
        // The line is local time in UTC+8: 1 Jan 07:00 local is 31 Dec 23:00Z, before the reference.
        #expect(resolve("01 Jan 07:00:00.000", reference: "2025-01-01T00:30:00Z", zone: .fixed(offsetSeconds: 8 * 3600))
                == time("2024-12-31T23:00:00Z"))
    }

    @Test func systemZoneAgreesWithFoundation() throws {
        let reference = time("2024-06-01T00:00:00Z")
        let inference = YearInference(reference: reference, zone: .system)
        let resolved = try #require(inference.resolve(month: 1, day: 15, hour: 10, minute: 20, second: 30, millisecond: 5))
        var components = DateComponents()
        (components.year, components.month, components.day) = (2024, 1, 15)
        (components.hour, components.minute, components.second) = (10, 20, 30)
        let date = try #require(Calendar.current.date(from: components))
        #expect(resolved.millisecondsSince1970 == Int64((date.timeIntervalSince1970 * 1000).rounded()) + 5)
    }

    @Test func cachedHoursStayExactAcrossTheYearBoundary() {
        // Many lines from the same hours, across the year switch: the per-hour cache must not leak a year.
        var parser = LogLineParser(reference: time("2025-01-01T00:30:00Z"), zone: .fixed(offsetSeconds: 0))
        let lines = ["31 Dec 23:10:00.000", "31 Dec 23:59:59.999", "01 Jan 00:00:00.001", "01 Jan 00:20:00.000", "31 Dec 23:11:00.000"]
        let expected = ["2024-12-31T23:10:00Z", "2024-12-31T23:59:59.999Z", "2025-01-01T00:00:00.001Z",
                        "2025-01-01T00:20:00Z", "2024-12-31T23:11:00Z"]
        for (line, want) in zip(lines, expected) {
            let bytes = Array("1838:M \(line) # Can't save in background: fork: x".utf8)
            #expect(bytes.withUnsafeBytes { parser.classify($0).time } == time(want))
        }
    }
}
