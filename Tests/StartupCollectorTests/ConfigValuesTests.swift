@testable import StartupCollector
import Testing

@Suite("memtoll, string2ll, yesnotoi")
struct ConfigValuesTests {
    @Test func memoryUnits() {
        #expect(ConfigValues.bytes("64mb") == 67_108_864)
        #expect(ConfigValues.bytes("64MB") == 67_108_864)
        #expect(ConfigValues.bytes("1gb") == 1 << 30)
        #expect(ConfigValues.bytes("1g") == 1_000_000_000)
        #expect(ConfigValues.bytes("1m") == 1_000_000)
        #expect(ConfigValues.bytes("1k") == 1000)
        #expect(ConfigValues.bytes("1kb") == 1024)
        #expect(ConfigValues.bytes("100b") == 100)
        #expect(ConfigValues.bytes("12345") == 12345)
        #expect(ConfigValues.bytes("-5") == -5)
        #expect(ConfigValues.bytes("1tb") == nil)
        #expect(ConfigValues.bytes("1.5mb") == nil)
        #expect(ConfigValues.bytes("99999999999999gb") == nil) // overflow, not a crash
        #expect(ConfigValues.bytes(String(repeating: "9", count: 200)) == nil)
    }

    @Test func integersAreStrict() {
        #expect(ConfigValues.integer("2000") == 2000)
        #expect(ConfigValues.integer("0") == 0)
        #expect(ConfigValues.integer("-3") == -3)
        #expect(ConfigValues.integer("007") == nil)
        #expect(ConfigValues.integer("+5") == nil)
        #expect(ConfigValues.integer(" 5") == nil)
        #expect(ConfigValues.integer("5k") == nil)
        #expect(ConfigValues.integer("") == nil)
        #expect(ConfigValues.integer("99999999999999999999") == nil)
    }

    @Test func booleans() {
        #expect(ConfigValues.boolean("yes") == true)
        #expect(ConfigValues.boolean("YES") == true)
        #expect(ConfigValues.boolean("no") == false)
        #expect(ConfigValues.boolean("1") == nil)
    }
}
