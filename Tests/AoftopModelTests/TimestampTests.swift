import Foundation
import Testing
@testable import AoftopModel

@Suite struct TimestampTests {
    @Test(arguments: [
        ("2026-11-21T17:39:52.123Z", Int64(1_795_282_792_123)),
        ("1970-01-01T00:00:00.000Z", Int64(0)),
        ("1969-12-31T23:59:59.999Z", Int64(-1)),
        ("2016-02-29T12:00:00.000Z", Int64(1_456_747_200_000)),
    ])
    func iso8601RoundTrip(text: String, millis: Int64) throws {
        #expect(Timestamp(millisecondsSince1970: millis).iso8601 == text)
        #expect(Timestamp(iso8601: text)?.millisecondsSince1970 == millis)
    }

    @Test func offsetsAndFractionsAreHonoured() {
        #expect(Timestamp(iso8601: "2025-03-10T12:34:56.789+02:00") == Timestamp(iso8601: "2025-03-10T10:34:56.789Z"))
        #expect(Timestamp(iso8601: "2025-03-10T12:34:56-0130") == Timestamp(iso8601: "2025-03-10T14:04:56Z"))
        #expect(Timestamp(iso8601: "2025-03-10T12:34:56.7Z")?.millisecondsSince1970 == Timestamp(iso8601: "2025-03-10T12:34:56.700Z")?.millisecondsSince1970)
        #expect(Timestamp(iso8601: "2025-03-10T12:34:56.123456Z") == Timestamp(iso8601: "2025-03-10T12:34:56.123Z"))
    }

    @Test(arguments: ["", "2025-13-01T00:00:00Z", "2025-03-10", "2025-03-10T12:34", "2025-03-10T12:34:56.Z",
                      "2025-03-10T12:34:56Zjunk", "２０２５-03-10T12:34:56Z"])
    func garbageIsRejected(text: String) {
        #expect(Timestamp(iso8601: text) == nil)
    }

    @Test func daysFromCivilMatchesKnownDates() {
        #expect(daysFromCivil(year: 1970, month: 1, day: 1) == 0)
        #expect(daysFromCivil(year: 2000, month: 3, day: 1) == 11017)
        #expect(daysFromCivil(year: 2017, month: 8, day: 16) == 17394)
    }

    @Test func decodesEitherIsoTextOrMilliseconds() throws {
        let decoder = AoftopJSON.decoder()
        #expect(try decoder.decode([Timestamp].self, from: Data(#"["1970-01-01T00:00:01.500Z", 2500]"#.utf8))
                == [Timestamp(millisecondsSince1970: 1500), Timestamp(millisecondsSince1970: 2500)])
        #expect(throws: DecodingError.self) { try decoder.decode([Timestamp].self, from: Data(#"["yesterday"]"#.utf8)) }
    }
}
